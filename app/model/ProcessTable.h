// ProcessTable.h - the live process tree the panel shows, fed by pg::Event
// batches, reporting every change as a row-level diff.
//
// Owns: one entry per process seen (live or recently exited) and one entry
// per blocked or pending start attempt, arranged as a tree by parent. Entries
// are identified by a 64-bit key that the table assigns and never reuses
// (PIDs are reused; keys are not). Knows nothing of Qt, sockets or threads.
//
// Shape of the tree:
//   - A process is a child of the entry of its parent PID when that parent is
//     live in the table, otherwise a top-level entry (key 0 is the root).
//   - A start attempt (a REQUEST, or a VERDICT that blocked) is a child entry
//     of the process that tried: the entry of the event's pid when it is live
//     (Linux: the exec runs in an existing process), else of its creator, else
//     of its parent, else top level. An allowed attempt disappears and its
//     verdict moves onto the process; a blocked one stays (dimmed in the
//     panel) until its parent is removed.
//   - An exit only marks the entry exited. purgeExited() removes exited
//     entries later, so the panel can show them for a while; an exited entry
//     that still has live child processes is kept, because it explains who
//     started them.
//
// Notifications (the ksysguard ProcessModel contract): for every structural
// change the listener gets aboutToInsert/inserted or aboutToRemove/removed
// with the parent key and a contiguous row range, in the order a
// QAbstractItemModel needs them; between an aboutTo* call and its completion
// call the table is in the "before" state, after it in the "after" state.
// Field changes come as changed(key, mask) with the fields that differ.
// apply() coalesces: entries created in one batch are inserted with one range
// per parent at the end of the batch, and every changed entry is reported once
// with the union of its masks; entries inserted in the batch are not reported
// as changed. purgeExited() removes one range per run of adjacent rows,
// highest rows first, so indexes held by the listener stay valid.
//
// Order: children are kept in the order setOrder() gives (insertion order
// until then). New children go to their sorted position: one insertion per
// run of adjacent new rows, highest run first. A change to a field the order
// depends on moves the entry (aboutToMove/moved, QAbstractItemModel's
// beginMoveRows convention: dest is the row before which it goes, counted
// before the move). setOrder() itself notifies nothing: the caller wraps it
// in a layout change (every row keeps its Node, only rows change).
//
// Cost: every Node knows its parent Node and its row, and children are Node
// pointers, so childAt/parent/row are O(1) without hashing; Node addresses
// are stable while the entry exists (views may keep them as internal
// pointers). Exited entries wait in a queue in exit order, so purgeExited()
// touches only what expired. Paths, names and user ids are interned: a pool
// holds each distinct value once (the pool grows with distinct values only
// and is emptied by clear()).
//
// Threads: none. Call everything from one thread (the panel's GUI thread);
// listeners are called synchronously from apply(), purgeExited() and clear().
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "Types.h"

namespace pg
{

// Bits of ProcessTableListener::changed()'s mask.
enum ProcessField : uint32_t {
    FieldName = 0x001,
    FieldImage = 0x002,
    FieldCmdline = 0x004,
    FieldUser = 0x008,
    FieldStarted = 0x010,
    FieldVerdict = 0x020,
    FieldState = 0x040,  // exited, exit status, pending/decided attempt
    FieldParent = 0x080, // ppid / creator shown
    FieldAll = 0x0FF,
};

// A string stored once per distinct value in ProcessTable's pool. Reads as a
// const std::string&. Empty by default.
class SharedText
{
public:
    SharedText() = default;
    const std::string &str() const { return m_s != nullptr ? *m_s : emptyString(); }
    operator const std::string &() const { return str(); }
    bool empty() const { return m_s == nullptr || m_s->empty(); }
    friend bool operator==(const SharedText &a, const std::string &b) { return a.str() == b; }
    friend bool operator!=(const SharedText &a, const std::string &b) { return a.str() != b; }

private:
    friend class ProcessTable;
    explicit SharedText(const std::string *s) : m_s(s) {}
    static const std::string &emptyString();
    const std::string *m_s = nullptr;
};

struct ProcessEntry {
    enum class Type : uint8_t { Process, Attempt };

    uint64_t key = 0;
    uint64_t parentKey = 0; // 0: top level
    Type type = Type::Process;
    uint32_t pid = 0;
    uint32_t ppid = 0;
    uint32_t creatorPid = 0; // who asked for the start; may differ from ppid
    uint32_t uid = 0;
    SharedText sid;  // Windows user
    SharedText name; // last path component of image
    SharedText image;
    std::string cmdline;
    SharedText parentImage;
    uint64_t startNs = 0; // event time of the start (or first sighting)
    uint64_t exitNs = 0;  // 0 while live
    uint32_t exitStatus = 0;
    bool snapshot = false; // known from a snapshot, not seen starting
    // The decision about this entry's start, if any.
    Verdict verdict = Verdict::None;
    Source source = Source::None;
    uint32_t ruleId = 0;
    uint64_t holdId = 0;  // Attempt: the hold; 0 when not held
    bool pending = false; // Attempt: still waiting for a verdict
    uint16_t flags = 0;   // PG_EVF_* of the last event that touched it

    bool exited() const { return exitNs != 0; }
    bool isAttempt() const { return type == Type::Attempt; }
};

class ProcessTableListener
{
public:
    virtual ~ProcessTableListener() = default;
    virtual void aboutToInsert(uint64_t parentKey, size_t first, size_t last) = 0;
    virtual void inserted(uint64_t parentKey, size_t first, size_t last) = 0;
    virtual void aboutToRemove(uint64_t parentKey, size_t first, size_t last) = 0;
    virtual void removed(uint64_t parentKey, size_t first, size_t last) = 0;
    // An entry moves under the same parent from row `from` to just before row
    // `dest` (rows counted before the move; dest is never from or from + 1).
    virtual void aboutToMove(uint64_t parentKey, size_t from, size_t dest) = 0;
    virtual void moved(uint64_t parentKey, size_t from, size_t dest) = 0;
    // Every change of one batch at once, in the order the entries changed
    // (the listener may coalesce them, e.g. one range when most rows changed).
    struct Change {
        uint64_t key;
        uint32_t fields;
    };
    virtual void changed(const std::vector<Change> &changes) = 0;
    // The whole content is replaced (clear()); only when the source is swapped.
    virtual void aboutToReset() = 0;
    virtual void reset() = 0;
};

class ProcessTable
{
public:
    // One entry and its place in the tree. Read-only outside the table.
    struct Node {
        ProcessEntry entry;
        Node *parent = nullptr;           // nullptr for the root
        std::vector<Node *> children;     // visible order
        std::vector<uint32_t> childSlots; // children[i]->slot, without touching children[i]
        size_t row = 0;                   // index in the parent's children
        uint32_t slot = 0;                // small id, reused after removal; 0 is the root
        size_t shown = 0;                 // children announced to the listener
        bool visible = false;             // announced to the listener
        bool lingering = false;           // exited, in m_exited or waiting for children
    };
    // Strict weak order of siblings; nullptr keeps insertion order.
    using Less = std::function<bool(const ProcessEntry &, const ProcessEntry &)>;

    ProcessTable();
    ProcessTable(const ProcessTable &) = delete;
    ProcessTable &operator=(const ProcessTable &) = delete;

    // At most one listener; nullptr to detach.
    void setListener(ProcessTableListener *listener) { m_listener = listener; }

    // Applies one batch of events in order (see the coalescing rules above).
    // Events the table does not track (policy, overflow, threads) are ignored.
    void apply(const std::vector<Event> &batch);
    // Removes exited entries whose exit time is at or before cutoffNs, except
    // those with live child processes. Returns how many entries went.
    size_t purgeExited(uint64_t cutoffNs);
    // Empties the table (reset notification): a new connection, a new source.
    void clear();
    // Sorts every sibling list with `less` (ties keep insertion order) and
    // keeps new and changed entries in that order from now on; `fields` are
    // the ProcessField bits the order reads. Notifies nothing (see above).
    void setOrder(Less less, uint32_t fields);
    bool lessThan(const ProcessEntry &a, const ProcessEntry &b) const;

    // Queries. key 0 is the invisible root.
    const ProcessEntry *find(uint64_t key) const;
    size_t childCount(uint64_t parentKey) const;
    // 0 when row is out of range.
    uint64_t childAt(uint64_t parentKey, size_t row) const;
    // Row of key under its parent; 0 for unknown keys.
    size_t rowOf(uint64_t key) const;
    // The visible parent of a visible entry and that parent's row, in one
    // lookup per node (views ask this for every index they walk). False for
    // unknown keys; *parentKey is 0 for top-level entries.
    bool parentOf(uint64_t key, uint64_t *parentKey, size_t *parentRow) const;
    // Key of the live process with this pid, 0 when none.
    uint64_t findLive(uint32_t pid) const;
    // Key of the attempt entry for a hold, 0 when none.
    uint64_t findHold(uint64_t holdId) const;
    size_t size() const { return m_nodes.size(); }
    size_t liveCount() const { return m_live.size(); }

    // Node access for views (O(1), no hashing after nodeOf()).
    const Node *root() const { return &m_root; }
    // The visible node of a key; nullptr for 0, unknown or not yet announced.
    const Node *nodeOf(uint64_t key) const;
    static size_t shownChildren(const Node *n) { return n->shown; }
    static const Node *childNode(const Node *parent, size_t row)
    {
        return row < parent->shown ? parent->children[row] : nullptr;
    }
    // Slots: views walking a large tree (QTreeView relays out every row after
    // a removal) ask for children and child counts of nodes they never
    // display; dense per-slot arrays answer without touching those nodes.
    const Node *nodeAt(uint32_t slot) const
    {
        return slot < m_slots.size() ? m_slots[slot] : nullptr;
    }
    uint32_t shownAt(uint32_t slot) const
    {
        return slot < m_slotShown.size() ? m_slotShown[slot] : 0;
    }

private:
    Node *node(uint64_t key);
    const Node *node(uint64_t key) const;
    SharedText intern(const std::string &s);
    void insertSorted(Node *parent);
    void reposition(Node *n);
    void queueExited(Node *n);
    void forget(Node *n);
    uint64_t newNode(uint64_t parentKey, ProcessEntry entry);
    void markChanged(uint64_t key, uint32_t fields);
    void markExited(Node &n, uint64_t timeNs, uint32_t status);
    uint64_t tryerOf(const Event &ev) const;
    ProcessEntry attemptOf(const Event &ev);
    void onStart(const Event &ev);
    void onExec(const Event &ev);
    void onExit(const Event &ev);
    void onRequest(const Event &ev);
    void onVerdict(const Event &ev);
    void commit();
    void removeSubtree(uint64_t key);
    void sortChildren(Node *n);
    void renumber(Node *p, size_t from);
    void setShown(Node *p, size_t shown);

    ProcessTableListener *m_listener = nullptr;
    Node m_root;
    std::vector<Node *> m_slots;       // slot -> node (nullptr when free)
    std::vector<uint32_t> m_slotShown; // slot -> shown children
    std::vector<uint32_t> m_freeSlots;
    std::unordered_map<uint64_t, Node> m_nodes;
    std::unordered_map<uint32_t, uint64_t> m_live;      // pid -> key of live process
    std::unordered_map<uint64_t, uint64_t> m_holds;     // hold id -> attempt key
    std::unordered_set<std::string> m_pool;             // interned strings
    std::deque<std::pair<uint64_t, uint64_t>> m_exited; // (exitNs, key), exit order
    Less m_less;
    uint32_t m_orderFields = 0;
    uint64_t m_nextKey = 1;
    // Batch state (apply()).
    std::vector<uint64_t> m_pendingParents;           // parents with new children, in order
    std::unordered_map<uint64_t, uint32_t> m_changes; // key -> mask
    std::vector<uint64_t> m_changeOrder;
};

// Last path component ("/usr/bin/ls" -> "ls"; also splits on '\\').
std::string baseName(const std::string &path);

} // namespace pg
