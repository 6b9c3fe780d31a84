// ProcessTable.cpp - see ProcessTable.h for the contract.
//
// Each node keeps its row under its parent and how many of its children the
// listener has been told about ("shown"): children past "shown" were created
// in the current batch and are announced in commit(), one range per parent.
// A node created in a batch becomes visible together with its whole subtree
// when its first visible ancestor announces it, so new subtrees cost one
// insertion at their top.
#include "ProcessTable.h"

#include <algorithm>
#include <functional>
#include <map>

namespace pg
{

std::string baseName(const std::string &path)
{
    const size_t slash = path.find_last_of("/\\");
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

ProcessTable::Node *ProcessTable::node(uint64_t key)
{
    if (key == 0)
        return &m_root;
    auto it = m_nodes.find(key);
    return it == m_nodes.end() ? nullptr : &it->second;
}

const ProcessTable::Node *ProcessTable::node(uint64_t key) const
{
    if (key == 0)
        return &m_root;
    auto it = m_nodes.find(key);
    return it == m_nodes.end() ? nullptr : &it->second;
}

const ProcessEntry *ProcessTable::find(uint64_t key) const
{
    if (key == 0)
        return nullptr;
    const Node *n = node(key);
    return n != nullptr && n->visible ? &n->entry : nullptr;
}

size_t ProcessTable::childCount(uint64_t parentKey) const
{
    const Node *n = node(parentKey);
    return n != nullptr && (parentKey == 0 || n->visible) ? n->shown : 0;
}

uint64_t ProcessTable::childAt(uint64_t parentKey, size_t row) const
{
    const Node *n = node(parentKey);
    if (n == nullptr || row >= n->shown)
        return 0;
    return n->children[row];
}

size_t ProcessTable::rowOf(uint64_t key) const
{
    const Node *n = node(key);
    return n == nullptr || key == 0 ? 0 : n->row;
}

bool ProcessTable::parentOf(uint64_t key, uint64_t *parentKey, size_t *parentRow) const
{
    const Node *n = key == 0 ? nullptr : node(key);
    if (n == nullptr || !n->visible)
        return false;
    *parentKey = n->entry.parentKey;
    *parentRow = 0;
    if (*parentKey != 0) {
        const Node *p = node(*parentKey);
        if (p == nullptr)
            return false;
        *parentRow = p->row;
    }
    return true;
}

uint64_t ProcessTable::findLive(uint32_t pid) const
{
    auto it = m_live.find(pid);
    return it == m_live.end() ? 0 : it->second;
}

uint64_t ProcessTable::findHold(uint64_t holdId) const
{
    auto it = m_holds.find(holdId);
    return it == m_holds.end() ? 0 : it->second;
}

uint64_t ProcessTable::newNode(uint64_t parentKey, ProcessEntry entry)
{
    Node *parent = node(parentKey);
    if (parent == nullptr) {
        parentKey = 0;
        parent = &m_root;
    }
    const uint64_t key = m_nextKey++;
    entry.key = key;
    entry.parentKey = parentKey;
    Node n;
    n.entry = std::move(entry);
    n.row = parent->children.size();
    parent->children.push_back(key);
    if ((parentKey == 0 || parent->visible) && parent->children.size() == parent->shown + 1)
        m_pendingParents.push_back(parentKey);
    m_nodes.emplace(key, std::move(n));
    return key;
}

void ProcessTable::markChanged(uint64_t key, uint32_t fields)
{
    const Node *n = node(key);
    if (n == nullptr || !n->visible)
        return; // announced with its insertion
    auto it = m_changes.find(key);
    if (it == m_changes.end()) {
        m_changes.emplace(key, fields);
        m_changeOrder.push_back(key);
    } else {
        it->second |= fields;
    }
}

void ProcessTable::markExited(Node &n, uint64_t timeNs, uint32_t status)
{
    if (n.entry.exited())
        return;
    n.entry.exitNs = timeNs != 0 ? timeNs : 1;
    n.entry.exitStatus = status;
    auto it = m_live.find(n.entry.pid);
    if (it != m_live.end() && it->second == n.entry.key)
        m_live.erase(it);
    markChanged(n.entry.key, FieldState);
}

uint64_t ProcessTable::tryerOf(const Event &ev) const
{
    for (uint32_t pid : {ev.pid, ev.creatorPid, ev.ppid}) {
        if (pid == 0)
            continue;
        const uint64_t key = findLive(pid);
        if (key != 0)
            return key;
    }
    return 0;
}

void ProcessTable::onStart(const Event &ev)
{
    const uint64_t old = findLive(ev.pid);
    if (old != 0)
        markExited(*node(old), ev.timeNs, 0); // its exit was lost: the pid is reused
    ProcessEntry e;
    e.pid = ev.pid;
    e.ppid = ev.ppid;
    e.creatorPid = ev.creatorPid;
    e.uid = ev.uid;
    e.sid = ev.sid;
    e.image = ev.image;
    e.name = baseName(ev.image);
    e.cmdline = ev.cmdline;
    e.parentImage = ev.parentImage;
    e.startNs = ev.timeNs;
    e.snapshot = (ev.flags & PG_EVF_SNAPSHOT) != 0;
    e.flags = ev.flags;
    const uint64_t parent = ev.ppid != ev.pid ? findLive(ev.ppid) : 0;
    const uint64_t key = newNode(parent, std::move(e));
    m_live[ev.pid] = key;
}

void ProcessTable::onExec(const Event &ev)
{
    const uint64_t key = findLive(ev.pid);
    if (key == 0) {
        onStart(ev);
        return;
    }
    ProcessEntry &e = node(key)->entry;
    uint32_t mask = 0;
    if (e.image != ev.image) {
        e.image = ev.image;
        e.name = baseName(ev.image);
        mask |= FieldImage | FieldName;
    }
    if (e.cmdline != ev.cmdline) {
        e.cmdline = ev.cmdline;
        mask |= FieldCmdline;
    }
    if (e.uid != ev.uid || e.sid != ev.sid) {
        e.uid = ev.uid;
        e.sid = ev.sid;
        mask |= FieldUser;
    }
    e.flags = ev.flags;
    if (mask != 0)
        markChanged(key, mask);
}

void ProcessTable::onExit(const Event &ev)
{
    const uint64_t key = findLive(ev.pid);
    if (key != 0)
        markExited(*node(key), ev.timeNs, ev.status);
}

void ProcessTable::onRequest(const Event &ev)
{
    if (ev.holdId == 0 || findHold(ev.holdId) != 0)
        return;
    ProcessEntry e;
    e.type = ProcessEntry::Type::Attempt;
    e.pid = ev.pid;
    e.ppid = ev.ppid;
    e.creatorPid = ev.creatorPid;
    e.uid = ev.uid;
    e.sid = ev.sid;
    e.image = ev.image;
    e.name = baseName(ev.image);
    e.cmdline = ev.cmdline;
    e.parentImage = ev.parentImage;
    e.startNs = ev.timeNs;
    e.holdId = ev.holdId;
    e.pending = true;
    e.flags = ev.flags;
    m_holds[ev.holdId] = newNode(tryerOf(ev), std::move(e));
}

void ProcessTable::onVerdict(const Event &ev)
{
    uint64_t attempt = ev.holdId != 0 ? findHold(ev.holdId) : 0;
    if (ev.verdict == Verdict::Allow) {
        if (attempt != 0)
            removeSubtree(attempt);
        const uint64_t key = findLive(ev.pid);
        if (key != 0) {
            ProcessEntry &e = node(key)->entry;
            e.verdict = ev.verdict;
            e.source = ev.source;
            e.ruleId = ev.ruleId;
            markChanged(key, FieldVerdict);
        }
        return;
    }
    if (ev.verdict != Verdict::Block)
        return;
    if (attempt == 0) {
        ProcessEntry e;
        e.type = ProcessEntry::Type::Attempt;
        e.pid = ev.pid;
        e.ppid = ev.ppid;
        e.creatorPid = ev.creatorPid;
        e.uid = ev.uid;
        e.sid = ev.sid;
        e.image = ev.image;
        e.name = baseName(ev.image);
        e.cmdline = ev.cmdline;
        e.parentImage = ev.parentImage;
        e.startNs = ev.timeNs;
        e.holdId = ev.holdId;
        attempt = newNode(tryerOf(ev), std::move(e));
        if (ev.holdId != 0)
            m_holds[ev.holdId] = attempt;
    }
    Node &n = *node(attempt);
    n.entry.verdict = ev.verdict;
    n.entry.source = ev.source;
    n.entry.ruleId = ev.ruleId;
    n.entry.pending = false;
    n.entry.flags = ev.flags;
    // A blocked start ended when it was blocked: it ages out like an exit.
    n.entry.exitNs = ev.timeNs != 0 ? ev.timeNs : 1;
    markChanged(attempt, FieldVerdict | FieldState);
    // Past the hold budget the process itself ran (frozen) and is now killed;
    // its exit event marks it.
}

void ProcessTable::apply(const std::vector<Event> &batch)
{
    for (const Event &ev : batch) {
        switch (ev.kind) {
        case EventKind::Start:
            onStart(ev);
            break;
        case EventKind::Exec:
            onExec(ev);
            break;
        case EventKind::Exit:
            onExit(ev);
            break;
        case EventKind::Request:
            onRequest(ev);
            break;
        case EventKind::Verdict:
            onVerdict(ev);
            break;
        default:
            break;
        }
    }
    commit();
}

void ProcessTable::commit()
{
    // Marks a node announced together with its subtree.
    std::function<void(uint64_t)> reveal = [&](uint64_t key) {
        Node &n = *node(key);
        n.visible = true;
        n.shown = n.children.size();
        for (uint64_t c : n.children)
            reveal(c);
    };
    std::vector<uint64_t> parents;
    parents.swap(m_pendingParents);
    for (uint64_t parentKey : parents) {
        Node *p = node(parentKey);
        if (p == nullptr || (parentKey != 0 && !p->visible) || p->children.size() <= p->shown)
            continue;
        const size_t first = p->shown;
        const size_t last = p->children.size() - 1;
        if (m_listener != nullptr)
            m_listener->aboutToInsert(parentKey, first, last);
        for (size_t r = first; r <= last; ++r)
            reveal(p->children[r]);
        p->shown = last + 1;
        if (m_listener != nullptr)
            m_listener->inserted(parentKey, first, last);
    }
    std::vector<uint64_t> order;
    order.swap(m_changeOrder);
    std::unordered_map<uint64_t, uint32_t> changes;
    changes.swap(m_changes);
    if (m_listener == nullptr)
        return;
    for (uint64_t key : order) {
        const Node *n = node(key);
        if (n != nullptr && n->visible)
            m_listener->changed(key, changes[key]);
    }
}

void ProcessTable::removeSubtree(uint64_t key)
{
    Node *n = node(key);
    if (n == nullptr)
        return;
    const uint64_t parentKey = n->entry.parentKey;
    Node *p = node(parentKey);
    const size_t row = n->row;
    const bool announce = n->visible && m_listener != nullptr;
    if (announce)
        m_listener->aboutToRemove(parentKey, row, row);
    std::vector<uint64_t> stack{key};
    while (!stack.empty()) {
        const uint64_t k = stack.back();
        stack.pop_back();
        Node &d = m_nodes.at(k);
        stack.insert(stack.end(), d.children.begin(), d.children.end());
        auto live = m_live.find(d.entry.pid);
        if (live != m_live.end() && live->second == k)
            m_live.erase(live);
        if (d.entry.holdId != 0)
            m_holds.erase(d.entry.holdId);
        m_changes.erase(k);
        m_nodes.erase(k);
    }
    p->children.erase(p->children.begin() + static_cast<std::ptrdiff_t>(row));
    for (size_t r = row; r < p->children.size(); ++r)
        m_nodes.at(p->children[r]).row = r;
    if (row < p->shown)
        --p->shown;
    if (announce)
        m_listener->removed(parentKey, row, row);
}

size_t ProcessTable::purgeExited(uint64_t cutoffNs)
{
    // removable(n): n ended at or before the cutoff and so did its whole
    // subtree; only the topmost removable nodes are removed (with subtrees).
    std::unordered_map<uint64_t, bool> memo;
    std::function<bool(uint64_t)> removable = [&](uint64_t key) -> bool {
        auto it = memo.find(key);
        if (it != memo.end())
            return it->second;
        const Node &n = m_nodes.at(key);
        bool ok = n.visible && n.entry.exited() && n.entry.exitNs <= cutoffNs;
        for (uint64_t c : n.children) {
            const bool childOk = removable(c);
            ok = ok && childOk;
        }
        memo.emplace(key, ok);
        return ok;
    };
    // parent -> rows to remove
    std::map<uint64_t, std::vector<size_t>> byParent;
    std::function<void(uint64_t)> walk = [&](uint64_t parentKey) {
        const Node &p = *node(parentKey);
        for (uint64_t c : p.children) {
            if (removable(c))
                byParent[parentKey].push_back(m_nodes.at(c).row);
            else
                walk(c);
        }
    };
    walk(0);

    size_t count = 0;
    for (auto &[parentKey, rows] : byParent) {
        std::sort(rows.begin(), rows.end());
        // Runs of adjacent rows, highest first.
        size_t end = rows.size();
        while (end > 0) {
            size_t begin = end - 1;
            while (begin > 0 && rows[begin - 1] + 1 == rows[begin])
                --begin;
            const size_t first = rows[begin];
            const size_t last = rows[end - 1];
            Node &p = *node(parentKey);
            if (m_listener != nullptr)
                m_listener->aboutToRemove(parentKey, first, last);
            for (size_t r = first; r <= last; ++r) {
                std::vector<uint64_t> stack{p.children[r]};
                while (!stack.empty()) {
                    const uint64_t k = stack.back();
                    stack.pop_back();
                    Node &d = m_nodes.at(k);
                    stack.insert(stack.end(), d.children.begin(), d.children.end());
                    auto live = m_live.find(d.entry.pid);
                    if (live != m_live.end() && live->second == k)
                        m_live.erase(live);
                    if (d.entry.holdId != 0)
                        m_holds.erase(d.entry.holdId);
                    m_nodes.erase(k);
                    ++count;
                }
            }
            p.children.erase(p.children.begin() + static_cast<std::ptrdiff_t>(first),
                             p.children.begin() + static_cast<std::ptrdiff_t>(last + 1));
            for (size_t r = first; r < p.children.size(); ++r)
                m_nodes.at(p.children[r]).row = r;
            p.shown -= last - first + 1;
            if (m_listener != nullptr)
                m_listener->removed(parentKey, first, last);
            end = begin;
        }
    }
    return count;
}

void ProcessTable::clear()
{
    if (m_listener != nullptr)
        m_listener->aboutToReset();
    m_nodes.clear();
    m_live.clear();
    m_holds.clear();
    m_root = Node{};
    m_pendingParents.clear();
    m_changes.clear();
    m_changeOrder.clear();
    if (m_listener != nullptr)
        m_listener->reset();
}

} // namespace pg
