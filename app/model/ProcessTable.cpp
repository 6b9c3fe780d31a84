// ProcessTable.cpp - see ProcessTable.h for the contract.
//
// Each node keeps its row under its parent and how many of its children the
// listener has been told about ("shown"): children past "shown" were created
// in the current batch and are announced in commit(), one range per run of
// adjacent new rows at their sorted positions.
// A node created in a batch becomes visible together with its whole subtree
// when its first visible ancestor announces it, so new subtrees cost one
// insertion at their top.
#include "ProcessTable.h"

#include <algorithm>
#include <functional>

namespace pg
{

std::string baseName(const std::string &path)
{
    const size_t slash = path.find_last_of("/\\");
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

ProcessTable::ProcessTable() : m_slots{&m_root}, m_slotShown{0} {}

const std::string &SharedText::emptyString()
{
    static const std::string empty;
    return empty;
}

SharedText ProcessTable::intern(const std::string &s)
{
    if (s.empty())
        return SharedText();
    return SharedText(&*m_pool.insert(s).first);
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

const ProcessTable::Node *ProcessTable::nodeOf(uint64_t key) const
{
    const Node *n = key == 0 ? nullptr : node(key);
    return n != nullptr && n->visible ? n : nullptr;
}

const ProcessEntry *ProcessTable::find(uint64_t key) const
{
    const Node *n = nodeOf(key);
    return n != nullptr ? &n->entry : nullptr;
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
    return n->children[row]->entry.key;
}

size_t ProcessTable::rowOf(uint64_t key) const
{
    const Node *n = node(key);
    return n == nullptr || key == 0 ? 0 : n->row;
}

bool ProcessTable::parentOf(uint64_t key, uint64_t *parentKey, size_t *parentRow) const
{
    const Node *n = nodeOf(key);
    if (n == nullptr)
        return false;
    *parentKey = n->parent->entry.key;
    *parentRow = n->parent == &m_root ? 0 : n->parent->row;
    return true;
}

bool ProcessTable::lessThan(const ProcessEntry &a, const ProcessEntry &b) const
{
    if (m_less) {
        if (m_less(a, b))
            return true;
        if (m_less(b, a))
            return false;
    }
    return a.key < b.key;
}

void ProcessTable::sortChildren(Node *n)
{
    if (m_less && n->children.size() > 1) {
        std::sort(n->children.begin(), n->children.end(),
                  [this](const Node *a, const Node *b) { return lessThan(a->entry, b->entry); });
    }
    renumber(n, 0);
}

void ProcessTable::renumber(Node *p, size_t from)
{
    p->childSlots.resize(p->children.size());
    for (size_t r = from; r < p->children.size(); ++r) {
        p->children[r]->row = r;
        p->childSlots[r] = p->children[r]->slot;
    }
}

void ProcessTable::setShown(Node *p, size_t shown)
{
    p->shown = shown;
    m_slotShown[p->slot] = static_cast<uint32_t>(shown);
}

void ProcessTable::setOrder(Less less, uint32_t fields)
{
    m_less = std::move(less);
    m_orderFields = m_less ? fields : 0;
    // Unannounced children stay after the announced ones (commit() sorts them in).
    const auto sortShown = [this](Node *n) {
        if (n->shown < n->children.size()) {
            std::vector<Node *> fresh(n->children.begin() + static_cast<std::ptrdiff_t>(n->shown),
                                      n->children.end());
            n->children.resize(n->shown);
            sortChildren(n);
            n->children.insert(n->children.end(), fresh.begin(), fresh.end());
            renumber(n, n->shown);
        } else {
            sortChildren(n);
        }
    };
    if (!m_less) {
        // Back to insertion order (keys grow with insertion).
        m_less = [](const ProcessEntry &, const ProcessEntry &) { return false; };
        sortShown(&m_root);
        for (auto &kv : m_nodes)
            sortShown(&kv.second);
        m_less = nullptr;
        return;
    }
    sortShown(&m_root);
    for (auto &kv : m_nodes)
        sortShown(&kv.second);
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
    Node &n = m_nodes[key];
    n.entry = std::move(entry);
    n.parent = parent;
    if (m_freeSlots.empty()) {
        n.slot = static_cast<uint32_t>(m_slots.size());
        m_slots.push_back(&n);
        m_slotShown.push_back(0);
    } else {
        n.slot = m_freeSlots.back();
        m_freeSlots.pop_back();
        m_slots[n.slot] = &n;
        m_slotShown[n.slot] = 0;
    }
    parent->children.push_back(&n);
    renumber(parent, parent->children.size() - 1);
    if ((parentKey == 0 || parent->visible) && parent->children.size() == parent->shown + 1)
        m_pendingParents.push_back(parentKey);
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

void ProcessTable::queueExited(Node *n)
{
    if (n->lingering)
        return;
    n->lingering = true;
    m_exited.emplace_back(n->entry.exitNs, n->entry.key);
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
    queueExited(&n);
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
    e.sid = intern(ev.sid);
    e.image = intern(ev.image);
    e.name = intern(baseName(ev.image));
    e.cmdline = ev.cmdline;
    e.parentImage = intern(ev.parentImage);
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
        e.image = intern(ev.image);
        e.name = intern(baseName(ev.image));
        mask |= FieldImage | FieldName;
    }
    if (e.cmdline != ev.cmdline) {
        e.cmdline = ev.cmdline;
        mask |= FieldCmdline;
    }
    if (e.uid != ev.uid || e.sid != ev.sid) {
        e.uid = ev.uid;
        e.sid = intern(ev.sid);
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

// The row of a start that was held or blocked, under the process that tried.
ProcessEntry ProcessTable::attemptOf(const Event &ev)
{
    ProcessEntry e;
    e.type = ProcessEntry::Type::Attempt;
    e.pid = ev.pid;
    e.ppid = ev.ppid;
    e.creatorPid = ev.creatorPid;
    e.uid = ev.uid;
    e.sid = intern(ev.sid);
    e.image = intern(ev.image);
    e.name = intern(baseName(ev.image));
    e.cmdline = ev.cmdline;
    e.parentImage = intern(ev.parentImage);
    e.startNs = ev.timeNs;
    e.holdId = ev.holdId;
    return e;
}

void ProcessTable::onRequest(const Event &ev)
{
    if (ev.holdId == 0)
        return;
    if (const uint64_t known = findHold(ev.holdId)) {
        // A start that waited for its digest (Wait) now waits for a person.
        node(known)->entry.flags = ev.flags;
        markChanged(known, FieldState);
        return;
    }
    ProcessEntry e = attemptOf(ev);
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
        attempt = newNode(tryerOf(ev), attemptOf(ev));
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
    if (!n.entry.exited())
        n.entry.exitNs = ev.timeNs != 0 ? ev.timeNs : 1;
    queueExited(&n);
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
        case EventKind::Wait: // a pending attempt too, answered by the component
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

void ProcessTable::insertSorted(Node *p)
{
    // The new children (past "shown") in order, merged into the announced
    // ones: one insertion per run of new rows landing between the same two
    // old rows, highest run first so lower rows stay put.
    std::vector<Node *> fresh(p->children.begin() + static_cast<std::ptrdiff_t>(p->shown),
                              p->children.end());
    p->children.resize(p->shown);
    const auto less = [this](const Node *a, const Node *b) { return lessThan(a->entry, b->entry); };
    if (m_less)
        std::sort(fresh.begin(), fresh.end(), less);
    // Marks a node announced together with its subtree (sorted).
    std::vector<Node *> stack;
    const auto reveal = [&](Node *top) {
        stack.push_back(top);
        while (!stack.empty()) {
            Node *n = stack.back();
            stack.pop_back();
            n->visible = true;
            setShown(n, n->children.size());
            sortChildren(n);
            stack.insert(stack.end(), n->children.begin(), n->children.end());
        }
    };
    size_t end = fresh.size();
    while (end > 0) {
        const size_t at =
            m_less ? static_cast<size_t>(std::upper_bound(p->children.begin(), p->children.end(),
                                                          fresh[end - 1], less) -
                                         p->children.begin())
                   : p->children.size();
        size_t begin = end - 1;
        while (begin > 0 && (!m_less || at == 0 || less(p->children[at - 1], fresh[begin - 1])))
            --begin;
        const size_t count = end - begin;
        if (m_listener != nullptr)
            m_listener->aboutToInsert(p->entry.key, at, at + count - 1);
        p->children.insert(p->children.begin() + static_cast<std::ptrdiff_t>(at),
                           fresh.begin() + static_cast<std::ptrdiff_t>(begin),
                           fresh.begin() + static_cast<std::ptrdiff_t>(end));
        renumber(p, at);
        for (size_t i = begin; i < end; ++i)
            reveal(fresh[i]);
        setShown(p, p->children.size());
        if (m_listener != nullptr)
            m_listener->inserted(p->entry.key, at, at + count - 1);
        end = begin;
    }
}

void ProcessTable::reposition(Node *n)
{
    Node *p = n->parent;
    const size_t from = n->row;
    const auto less = [this](const Node *a, const Node *b) { return lessThan(a->entry, b->entry); };
    const bool afterPrev = from == 0 || less(p->children[from - 1], n);
    const bool beforeNext = from + 1 >= p->shown || less(n, p->children[from + 1]);
    if (afterPrev && beforeNext)
        return;
    const auto first = p->children.begin();
    const auto shownEnd = first + static_cast<std::ptrdiff_t>(p->shown);
    // dest: the row before which it goes, counted before the move.
    const size_t dest =
        !afterPrev
            ? static_cast<size_t>(
                  std::upper_bound(first, first + static_cast<std::ptrdiff_t>(from), n, less) -
                  first)
            : static_cast<size_t>(std::upper_bound(first + static_cast<std::ptrdiff_t>(from) + 1,
                                                   shownEnd, n, less) -
                                  first);
    if (m_listener != nullptr)
        m_listener->aboutToMove(p->entry.key, from, dest);
    if (dest < from)
        std::rotate(first + static_cast<std::ptrdiff_t>(dest),
                    first + static_cast<std::ptrdiff_t>(from),
                    first + static_cast<std::ptrdiff_t>(from) + 1);
    else
        std::rotate(first + static_cast<std::ptrdiff_t>(from),
                    first + static_cast<std::ptrdiff_t>(from) + 1,
                    first + static_cast<std::ptrdiff_t>(dest));
    renumber(p, std::min(from, dest));
    if (m_listener != nullptr)
        m_listener->moved(p->entry.key, from, dest);
}

void ProcessTable::commit()
{
    std::vector<uint64_t> parents;
    parents.swap(m_pendingParents);
    for (uint64_t parentKey : parents) {
        Node *p = node(parentKey);
        if (p == nullptr || (parentKey != 0 && !p->visible) || p->children.size() <= p->shown)
            continue;
        insertSorted(p);
    }
    std::vector<uint64_t> order;
    order.swap(m_changeOrder);
    std::unordered_map<uint64_t, uint32_t> masks;
    masks.swap(m_changes);
    std::vector<ProcessTableListener::Change> changes;
    changes.reserve(order.size());
    for (uint64_t key : order) {
        Node *n = node(key);
        if (n == nullptr || !n->visible)
            continue;
        const uint32_t fields = masks[key];
        if ((fields & m_orderFields) != 0)
            reposition(n);
        changes.push_back({key, fields});
    }
    if (m_listener != nullptr && !changes.empty())
        m_listener->changed(changes);
}

void ProcessTable::forget(Node *d)
{
    m_slots[d->slot] = nullptr;
    m_freeSlots.push_back(d->slot);
    auto live = m_live.find(d->entry.pid);
    if (live != m_live.end() && live->second == d->entry.key)
        m_live.erase(live);
    if (d->entry.holdId != 0)
        m_holds.erase(d->entry.holdId);
    m_changes.erase(d->entry.key);
}

void ProcessTable::removeSubtree(uint64_t key)
{
    Node *n = node(key);
    if (n == nullptr || key == 0)
        return;
    Node *p = n->parent;
    const uint64_t parentKey = p->entry.key;
    const size_t row = n->row;
    const bool announce = n->visible && m_listener != nullptr;
    if (announce)
        m_listener->aboutToRemove(parentKey, row, row);
    p->children.erase(p->children.begin() + static_cast<std::ptrdiff_t>(row));
    renumber(p, row);
    if (row < p->shown)
        setShown(p, p->shown - 1);
    std::vector<Node *> stack{n};
    while (!stack.empty()) {
        Node *d = stack.back();
        stack.pop_back();
        stack.insert(stack.end(), d->children.begin(), d->children.end());
        forget(d);
        m_nodes.erase(d->entry.key);
    }
    if (announce)
        m_listener->removed(parentKey, row, row);
    if (p != &m_root && p->lingering && p->children.empty())
        m_exited.emplace_front(p->entry.exitNs, p->entry.key);
}

size_t ProcessTable::purgeExited(uint64_t cutoffNs)
{
    // Only what expired is looked at: the exit queue's head. An expired
    // entry goes with its subtree when the whole subtree has expired;
    // otherwise it waits, and is queued again when its last child goes.
    size_t count = 0;
    std::unordered_map<const Node *, bool> memo;
    std::function<bool(const Node *)> removable = [&](const Node *n) -> bool {
        auto it = memo.find(n);
        if (it != memo.end())
            return it->second;
        bool ok = n->visible && n->entry.exited() && n->entry.exitNs <= cutoffNs;
        for (size_t i = 0; ok && i < n->children.size(); ++i)
            ok = removable(n->children[i]);
        memo.emplace(n, ok);
        return ok;
    };
    while (!m_exited.empty() && m_exited.front().first <= cutoffNs) {
        memo.clear();
        std::vector<Node *> candidates;
        while (!m_exited.empty() && m_exited.front().first <= cutoffNs) {
            Node *n = node(m_exited.front().second);
            m_exited.pop_front();
            if (n != nullptr && n != &m_root)
                candidates.push_back(n);
        }
        // parent -> rows of the topmost removable entries under it
        std::unordered_map<Node *, std::vector<size_t>> byParent;
        std::vector<Node *> parentOrder;
        for (Node *n : candidates) {
            if (!removable(n))
                continue; // waits for its children
            // The topmost expired ancestor goes, with its subtree.
            Node *top = n;
            while (top->parent != &m_root && removable(top->parent))
                top = top->parent;
            auto &rows = byParent[top->parent];
            if (rows.empty())
                parentOrder.push_back(top->parent);
            rows.push_back(top->row);
        }
        std::vector<Node *> requeue;
        for (Node *p : parentOrder) {
            std::vector<size_t> &rows = byParent[p];
            std::sort(rows.begin(), rows.end());
            rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
            const uint64_t parentKey = p->entry.key;
            size_t end = rows.size();
            while (end > 0) {
                size_t begin = end - 1;
                while (begin > 0 && rows[begin - 1] + 1 == rows[begin])
                    --begin;
                const size_t first = rows[begin];
                const size_t last = rows[end - 1];
                if (m_listener != nullptr)
                    m_listener->aboutToRemove(parentKey, first, last);
                std::vector<Node *> gone(p->children.begin() + static_cast<std::ptrdiff_t>(first),
                                         p->children.begin() +
                                             static_cast<std::ptrdiff_t>(last + 1));
                p->children.erase(p->children.begin() + static_cast<std::ptrdiff_t>(first),
                                  p->children.begin() + static_cast<std::ptrdiff_t>(last + 1));
                renumber(p, first);
                setShown(p, p->shown - (last - first + 1));
                while (!gone.empty()) {
                    Node *d = gone.back();
                    gone.pop_back();
                    gone.insert(gone.end(), d->children.begin(), d->children.end());
                    forget(d);
                    m_nodes.erase(d->entry.key);
                    ++count;
                }
                if (m_listener != nullptr)
                    m_listener->removed(parentKey, first, last);
                end = begin;
            }
            if (p != &m_root && p->lingering && p->children.empty())
                requeue.push_back(p);
        }
        if (requeue.empty())
            break;
        for (Node *p : requeue)
            m_exited.emplace_front(p->entry.exitNs, p->entry.key);
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
    m_exited.clear();
    m_root = Node{};
    m_slots.assign(1, &m_root);
    m_slotShown.assign(1, 0);
    m_freeSlots.clear();
    m_pendingParents.clear();
    m_changes.clear();
    m_changeOrder.clear();
    m_pool.clear();
    if (m_listener != nullptr)
        m_listener->reset();
}

} // namespace pg
