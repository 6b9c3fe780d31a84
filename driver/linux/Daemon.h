// Daemon.h - procguardd's event loop and every decision it takes.
//
// Owns: the single epoll loop (fanotify, process facts - the BPF ring or
// the proc connector -, listening socket, clients, signalfd, hold timer, /proc poll timer), the
// decision for each gated start, the holds (pg_pending + HeldStart), the global event sequence
// counter and the status counters. Everything here runs on the main thread; the only other threads
// are the PolicyWriters' (the policy, today's budget use, the digest cache), the package index's
// and the digest pool's (ImageDigests.h).
//
// Must not, ever (see Daemon.cpp for the reasoning):
//   - fork or exec: a child inherits nothing useful and, while our group
//     holds its exec, can hang the watched filesystems;
//   - open a file on a gated filesystem from this thread: the open raises
//     a permission event that only this thread can answer;
//   - wait without a bound for anything but epoll itself;
//   - log or emit an event before the permission event is answered.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "BpfProcFacts.h"
#include "BudgetTracker.h"
#include "ClientConnection.h"
#include "ClientServer.h"
#include "EventSinks.h"
#include "FanotifyGate.h"
#include "FileIdentity.h"
#include "FreezeCgroup.h"
#include "HeldStart.h"
#include "ImageDigests.h"
#include "InterpreterSet.h"
#include "LocalZone.h"
#include "ManagedPolicy.h"
#include "MemfdNoexec.h"
#include "MountWatch.h"
#include "Options.h"
#include "PackageIndex.h"
#include "PolicyDir.h"
#include "PolicyStore.h"
#include "PolicyWriter.h"
#include "ProcConnector.h"
#include "ProcessTable.h"
#include "SentryChannel.h"
#include "pg_core.h"

struct fanotify_event_metadata;

class Daemon
{
public:
    explicit Daemon(const Options &options);
    ~Daemon();
    Daemon(const Daemon &) = delete;
    Daemon &operator=(const Daemon &) = delete;

    // Runs until SIGTERM/SIGINT. Returns the process exit status.
    int run();

private:
    // --- start and stop ---
    bool init(int *exitCode);
    void shutdown();

    // --- fanotify ---
    void onFanotifyReadable();
    void handleGateEvent(const struct fanotify_event_metadata &meta);
    void handleExec(int fd, uint32_t pid);
    void handleOpen(int fd, uint32_t pid);
    bool isExempt(uint32_t pid) const;
    // Matches a start against the rule cache, first with what is known
    // for free, then - only when pg_rules.h says a missing fact could
    // change the answer - with the digest of the image (hashed from the
    // event fd, cached) and its package (index + MD5). The command line is
    // never fetched here (it does not exist yet at exec-permission time);
    // pass it when known. facts keeps what was found for a later rematch.
    // Where a start's image digests stand (DaemonDigests.cpp): the file's
    // identity and version, the digests still to be computed (DigestPool
    // algorithms), the ones that could not be had, and the event flags
    // that say so.
    struct DigestState {
        FileVersion version;
        bool versionKnown = false;
        uint32_t missing = 0;
        uint32_t failed = 0;
        uint16_t flags = 0; // PG_EVF_DIGEST_WAIT, PG_EVF_NO_DIGEST
        int fd = -1;        // a dup of the event fd while a hold waits (it may be frozen)
    };
    // What handleExec and handleOpen learn about a start before deciding.
    struct StartFacts {
        std::string image;
        uint32_t ppid = 0;
        uint32_t uid = 0;
        std::string parentImage;
        HeldStart facts;
        pg_match_result match{};
        bool matched = false;
        bool cacheable = false; // an allow the kernel may remember for the file
        DigestState digests;
    };
    // What the decision ladder says about an examined start.
    struct Outcome {
        enum class Kind { Decide, CmdlineHold, AskPerson } kind = Kind::Decide;
        uint8_t verdict = 0;
        uint8_t source = 0;
        uint32_t ruleId = 0;
        uint16_t flags = 0;
        bool cacheable = false;
    };
    // The ladder - mode, rules, ask - for a start whose facts are known.
    // startFlags: PG_EVF_INTERPRETER for a program run through the loader
    // (decided by rules only, nobody is asked).
    Outcome ladder(const StartFacts &st, uint16_t startFlags) const;
    // Matches st against the rules (digests from the cache). False when a
    // digest must be computed first (st->digests.missing says which).
    bool matchExamined(int fd, StartFacts *st);
    // Carries out an outcome for a start whose launcher waits on fd.
    void decideExamined(int fd, uint32_t pid, StartFacts &&st, const Outcome &o);
    // Fills *st for the program pid opened at fd, or decides the start at
    // once (exempt; flags go on its event) and returns false.
    bool examineStart(int fd, uint32_t pid, uint16_t flags, StartFacts *st);
    // Whether the image path (and, when a rule has a parent condition, the
    // parent's) is the file itself; sets st->facts.pathFlags.
    void checkIdentity(int fd, StartFacts *st);
    // A run of the ELF interpreter itself ("ld.so prog", DaemonLoader.cpp).
    void handleLoaderRun(int fd, uint32_t pid);
    // Once its exec completed: decides the hold for the program it names.
    // execDone: the exec notification came (else only when /proc shows it).
    void decideLoaderRun(uint64_t holdId, bool execDone);
    // Fills *st for the program pid's loader command line names, opened
    // as pid sees it (*programFd, the caller closes it). False with *why.
    bool examineLoaderProgram(uint32_t pid, StartFacts *st, int *programFd, const char **why);
    // Opens path as pid sees it (its root, its working directory); a
    // regular file only. *replaceable: someone other than root could make
    // path name another file.
    static int openAsSeenBy(uint32_t pid, const std::string &path, bool *replaceable);
    bool matchStart(int fd, const std::string &image, const std::string &parentImage, uint32_t uid,
                    const std::string *cmdline, HeldStart *facts, pg_match_result *match,
                    DigestState *digests = nullptr);
    void packageFact(int fd, const std::string &image, HeldStart *facts, DigestState *digests);

    // The event flag for a start whose path is not its file (FileIdentity).
    static uint16_t pathEventFlags(uint32_t pathFlags)
    {
        return (pathFlags & PG_PATH_IMAGE_UNTRUSTED) != 0 ? PG_EVF_UNTRUSTED_PATH : 0;
    }

    // --- digests off the answering thread (DaemonDigests.cpp) ---
    enum class DigestAnswer { Known, Unknown, Pending };
    // A digest of the start's image: from the cache, unknown (no fd, over
    // the size bound, failed before), or pending (the pool must compute it).
    DigestAnswer imageDigest(int fd, DigestAlgo algo, DigestState *ds, std::string *hex);
    // The start needs a digest the cache does not have: hold it (bounded
    // like any hold, no person asked) until the pool answers; in monitor
    // mode allow it at once and report its verdict when the digest is known.
    void waitForDigest(int fd, uint32_t pid, uint16_t startFlags, StartFacts &&st);
    // The pool finished jobs: resume every start that waited for them.
    void onDigestsReady();
    void resumeDigestHold(uint64_t holdId, bool jobOk);
    void resumeDigestReport(size_t index, bool jobOk);
    // Hands a hold that waited for a fact (its digest, its command line) to
    // the person: a REQUEST event. freshTimeout: the person gets the whole
    // timeout from now (after a digest wait); the hold keeps its deadline
    // otherwise.
    void askPersonForHold(HeldStart &h, const std::string &cmdline, bool freshTimeout);
    // A hold stops waiting for its digest: its read fd is closed, the
    // wait counted.
    void dropDigestHold(uint64_t holdId);
    // At stop: monitor reports still waiting are reported as they stand.
    void flushDigestReports();
    // A CMDLINE rule could decide: freeze, allow the exec, decide later.
    void startCmdlineHold(int fd, uint32_t pid, uint32_t ppid, uint32_t uid,
                          const std::string &image, const std::string &parentImage,
                          HeldStart &&facts, const pg_match_result &provisional);
    // Decides a start waiting for its command line, once its exec has
    // completed (force: read whatever /proc shows).
    void tryCmdlineDecision(uint64_t holdId, bool force);
    // Hands a hold to the person (REQUEST event), or the default verdict
    // when nobody can answer.
    void askPerson(int fd, uint32_t pid, uint32_t ppid, uint32_t uid, const std::string &image,
                   const std::string &parentImage, uint32_t ruleId);
    // Answers, caches, closes the fd, counts, emits a VERDICT, logs - in
    // that order.
    void decideNow(int fd, uint32_t pid, uint32_t ppid, uint32_t uid, const std::string &image,
                   const std::string &parentImage, uint8_t verdict, uint8_t source, uint32_t ruleId,
                   uint16_t flags, bool cacheable);
    // decideNow after the answer: cache, close, count, emit, log.
    void reportDecision(int fd, uint32_t pid, uint32_t ppid, uint32_t uid, const std::string &image,
                        const std::string &parentImage, uint8_t verdict, uint8_t source,
                        uint32_t ruleId, uint16_t flags, bool cacheable);

    // --- holds ---
    void startHold(int fd, uint32_t pid, uint32_t ppid, uint32_t uid, const std::string &image,
                   const std::string &parentImage, uint32_t ruleId = 0);
    void finishHold(const pg_pending_entry &entry);
    void releaseLauncher(const pg_pending_entry &entry);
    // Holds a previous instance left frozen when it died (FreezeCgroup
    // orphans): each process gets the verdict of the policy in force, as
    // a start with no client connected would. At init, before the marks.
    void decideOrphans();
    void decideOrphan(uint32_t pid, const char *owner);
    void onTimer();
    void rearmTimer();
    static void pendingResolved(void *self, const pg_pending_entry *entry);
    static void pendingBudget(void *self, const pg_pending_entry *entry);

    // --- processes ---
    // Proc connector reports: the facts are read from /proc.
    void onFork(uint32_t parent, uint32_t child);
    void onExecEvent(uint32_t pid);
    void onExitEvent(uint32_t pid, uint32_t status);
    // A process is known to have started / exec'd (facts filled in by
    // whichever source saw it): table, event, budgets, command-line holds.
    void processStarted(ProcessInfo &&info);
    void processExeced(ProcessInfo &&info);
    // --- process facts source (DaemonProcFacts.cpp) ---
    // Picks and opens the source --process-facts asks for: the BPF ring,
    // the proc connector, or /proc polling. Before the marks. False only
    // when BPF was insisted on and cannot load.
    bool openProcessFacts(std::string *error);
    // The BPF ring is readable (or is drained before permission events):
    // table and events from its records, no /proc read for an ordinary
    // start; a loss is reported and resynced, but not before a permission
    // event is answered (beforeGate: the next drain does it).
    void onBpfReadable(bool beforeGate);
    void onProcFact(const ProcFact &fact);
    // Once the source is open: what changed since the start-up snapshot.
    void catchUp();
    // "bpf", "connector" or "poll": logs and the server name in HELLO.
    const char *factSourceName() const;
    void resync(bool lost);
    void snapshotTo(ClientConnection &client);

    // --- time: schedules, expiry, budgets (DaemonTime.cpp) ---
    // Zone and boot id, and the budget use saved by the last run; before
    // the policy is loaded (and before marks).
    void initTime();
    // After the policy in force changed (load, SET_POLICY, a rule used or
    // expired): budgets, membership, timer.
    void afterPolicyChange(int64_t nowMs);
    // The realtime timer fired (an edge, an expiry, a budget, a grace
    // period), or the clock was set.
    void onClockTimer();
    // Re-evaluates everything time decides, now. Recompiles the rule
    // cache (and flushes the kernel allow cache) when the rules in force
    // changed; drops expired rules from the persisted policy.
    void timeTick();
    void rearmClock();
    // A rule decided a start: an "allow once" rule is used up.
    void ruleDecided(uint32_t ruleId);
    // The rule has time conditions: its allows must not be cached.
    bool ruleTimed(uint32_t ruleId) const;
    // The policy bytes changed (rules removed): persist, flush, announce.
    void policyRewritten(const char *why);
    // Process-table hooks for budgets.
    void budgetConfigure(int64_t nowMs);
    void budgetTrack(uint32_t pid, int64_t nowMs);
    void budgetRescan(int64_t nowMs);
    void budgetEnforce(int64_t nowMs);
    // Today's budget use in <state-dir>/budget-use, so that a restart
    // does not refill a budget. Start: after the first afterPolicyChange
    // (the saved use is restored by the first timeTick that sets the
    // day). budgetSave hands the bytes to m_budgetWriter's thread when
    // they changed: at once when now (day change, policy change), else at
    // most every kBudgetSaveEveryMs. At stop: written and joined (after
    // the group is closed).
    void budgetStartSaving();
    void budgetRestore(int64_t day);
    void budgetSave(int64_t nowMs, bool now);
    void budgetSaveAtStop();

    // --- the managed layer: --policy-dir (DaemonManaged.cpp) ---
    // Reads the policy directory (and the last good versions saved by the
    // previous run) and composes the policy in force; before the marks.
    // Then starts PolicyDir's thread.
    bool initManaged(std::string *error);
    // PolicyDir has a new snapshot: parse, keep the last good version of
    // each file, combine, and install the composed policy when it changed.
    void onPolicyDirChanged();
    void applyManagedSnapshot(const PolicyDir::Snapshot &snap, bool atStart);
    // A client's SET_POLICY against the managed layer: false after sending
    // PG_E_MANAGED (or another error); else *out is what to install (the
    // bytes as sent when nothing is managed).
    bool composeClientPolicy(ClientConnection &client, uint64_t requestId, const uint8_t *msg,
                             uint32_t size, std::vector<uint8_t> *out);
    void sendManaged(ClientConnection &client, uint64_t requestId);
    void stopManaged();

    // --- the sentry (SentryChannel.h): keeps the gate while we are down ---
    void onSentryAccept();
    // Sends the rules in force when they differ from what it last got.
    void sentryUpdate();

    // --- clients ---
    void onAccept();
    void onClientEvent(uint64_t id, uint32_t events);
    void processInput(ClientConnection &client);
    void handleMessage(ClientConnection &client, const uint8_t *msg, uint32_t size);
    void handleHello(ClientConnection &client, const uint8_t *msg);
    void handleVerdicts(ClientConnection &client, const uint8_t *msg);
    void handleSetPolicy(ClientConnection &client, const uint8_t *msg, uint32_t size);
    void sendStatus(ClientConnection &client, uint64_t requestId);
    // Resolves one hold by the component (rule, mode, default) and
    // finishes it; an allow-once rule that decided it is used up.
    void resolveHold(uint64_t holdId, uint8_t verdict, uint8_t source);
    void sendResult(ClientConnection &client, uint64_t requestId, uint32_t status, uint32_t detail,
                    const char *text);
    void sendHelloReply(ClientConnection &client, uint64_t requestId, uint32_t status,
                        uint16_t role, bool final);
    void serviceClients();
    void closeClient(uint64_t id, const char *why);
    void updateEpoll(ClientConnection &client);

    // --- events ---
    // Stamps ev with the next sequence number and queues it on every
    // greeted client. priority: REQUEST for the controller (may use the
    // ring's reserve). Returns false when the controller's copy was dropped.
    bool emit(pg_event &ev, const std::string &image, const std::string &cmdline,
              const std::string &parentImage, bool priority);
    pg_event makeEvent(uint16_t kind, uint32_t pid) const;
    // The wall-clock time a process started (/proc's or the kernel's start
    // ticks), for START events: the tree shows when it started, not when
    // procguardd (or the panel) first saw it. nowNs when unknown.
    static uint64_t startedAtNs(uint64_t startTicks, uint64_t nowNs);
    // Counts a decision and emits its VERDICT (holdId 0: not held).
    void emitVerdict(uint64_t holdId, uint32_t pid, uint32_t ppid, uint32_t uid,
                     const std::string &image, const std::string &parentImage, uint8_t verdict,
                     uint8_t source, uint32_t ruleId, uint16_t flags, uint32_t status = 0);
    // An exec the process facts report: was it seen by the gate? If not
    // (its file is on a filesystem without our mark) and it is in scope,
    // prompt and lockdown end it, monitor reports it (DaemonUnseen.cpp).
    // imageDev: the file's device when the facts said (BPF), else 0.
    // pathless: the facts said the file has no path (an in-memory file).
    void checkSeenExec(uint32_t pid, uint32_t ppid, uint32_t uid, const std::string &image,
                       uint64_t imageDev, bool pathless);
    bool inScope(const std::string &image) const;
    // PG_GATE_* measures in force and classes left open, for status.
    void gateMeasures(uint32_t *measures, uint32_t *open) const;
    std::vector<std::string> m_scopeRoots; // --watch paths, resolved; empty: everything

    Options m_options;
    uint32_t m_selfPid;
    uint64_t m_startMs;
    bool m_stopping = false;

    FanotifyGate m_gate;
    MountWatch m_mounts; // filesystems mounted after start
    MemfdNoexec m_memfd; // vm.memfd_noexec while prompt or lockdown is in force
    ProcConnector m_connector;
    bool m_useConnector = false;
    BpfProcFacts m_bpf;
    bool m_useBpf = false;
    uint64_t m_bpfDroppedSeen = 0; // m_bpf.dropped() already reported
    ClientServer m_server;
    SentryServer m_sentry;
    std::vector<uint8_t> m_sentryPolicy; // the rules in force it last got
    ProcessTable m_table;
    InterpreterSet m_interpreters;
    // How "ld.so prog" is caught: Stack (at the loader's exec; ExecOrigin.h)
    // or Opens (every plain open, FAN_OPEN_PERM). Chosen in init().
    enum class LoaderGuard { Stack, Opens };
    LoaderGuard m_loaderGuard = LoaderGuard::Stack;
    bool m_warnedNoCgroupLoader = false;
    FreezeCgroup m_freezer;
    bool m_warnedNoCgroup = false;
    PolicyStore m_policy;
    std::unique_ptr<PolicyWriter> m_writer;
    // Events as ECS JSON to syslog and files (--events); fed by emit().
    EventSinks m_eventSinks;
    // The managed layer (DaemonManaged.cpp): each policy file's state by
    // name (its last good version stays in force while it is rejected), the
    // combined layer, and the writer of <state-dir>/managed-last-good.
    struct ManagedFileState {
        bool hasGood = false;
        std::string goodText;
        pg::policy::ManagedSource good;
        std::string error; // why the file as it is now was rejected; empty = in force
    };
    std::unique_ptr<PolicyDir> m_policyDir;
    std::map<std::string, ManagedFileState> m_managedFiles;
    pg::policy::ManagedLayer m_managed;
    uint64_t m_managedChangedNs = 0;
    std::unique_ptr<PolicyWriter> m_managedWriter;
    std::string m_managedSaved; // last text handed to m_managedWriter
    ImageDigests m_digests;
    // Holds waiting for a digest (hold id), and monitor-mode starts already
    // allowed whose verdict event waits for one.
    std::unordered_map<uint64_t, StartFacts> m_digestHolds;
    struct DigestReport {
        uint64_t job = 0;
        int fd = -1; // kept for the allow cache; closed when reported
        uint32_t pid = 0;
        uint16_t startFlags = 0;
        uint64_t sinceMs = 0;
        StartFacts st;
    };
    std::vector<DigestReport> m_digestReports;
    // File identity (FileIdentity.h): the event fds whose path is not
    // their file, from examineStart until decideNow or startHold takes
    // the fact over (keyed by fd: the decision may come later).
    FileIdentity::SystemFs m_identityFs;
    std::unordered_map<int, FileIdentity::Trust> m_untrustedFds;
    std::unique_ptr<PackageIndex> m_packages;
    uint64_t m_packageNotReadyLogged = 0; // decisions made before the index was ready
    std::unordered_map<uint32_t, uint64_t> m_cmdlineWaits; // pid -> hold id

    std::vector<pg_pending_entry> m_pendingEntries;
    pg_pending m_pending;
    std::unordered_map<uint64_t, HeldStart> m_holds;

    int m_epoll = -1;
    int m_signalFd = -1;
    int m_timerFd = -1;
    int m_pollTimerFd = -1;
    int m_clockFd = -1; // CLOCK_REALTIME timer for schedule edges, expiry, budgets

    LocalZone m_zone;
    uint8_t m_bootId[PG_BOOT_ID_BYTES] = {};
    BudgetTracker m_budgets;
    std::vector<uint64_t> m_budgetsWarned; // keys warned today
    struct BudgetKill {
        uint32_t pid = 0;
        uint64_t startTicks = 0;
        uint32_t ruleId = 0;
        int64_t termAtMs = 0; // SIGTERM (after the grace period)
        int64_t killAtMs = 0; // SIGKILL, when SIGTERM did not end it; 0 = not yet
    };
    std::vector<BudgetKill> m_budgetKills;
    std::string m_budgetPath;             // <state-dir>/budget-use
    std::vector<uint8_t> m_budgetRestore; // read at start, restored once
    bool m_budgetRestorePending = false;
    std::unique_ptr<PolicyWriter> m_budgetWriter; // from budgetStartSaving
    std::vector<uint8_t> m_budgetSaved;           // last bytes handed to the writer
    int64_t m_budgetSavedAtMs = 0;
    int64_t m_budgetSaveDueMs = 0; // next periodic save; 0 = none due
    bool m_budgetSaveNow = false;  // the next timeTick saves at once
    bool m_budgetFileMayExist = true;

    std::unordered_map<uint64_t, std::unique_ptr<ClientConnection>> m_clients;
    uint64_t m_nextClientId = 100;
    uint64_t m_controllerId = 0;
    uint32_t m_controllerPid = 0;

    uint64_t m_nextSeq = 1;
    uint64_t m_lostConnectorMessages = 0; // or BPF ring records; reported by resync(true)
    bool m_needResync = false;

    struct Counters {
        uint64_t starts = 0;
        uint64_t decisions = 0;
        uint64_t allowed = 0;
        uint64_t blocked = 0;
        uint64_t prompted = 0;
        uint64_t timeouts = 0;
        uint64_t lostClosedClients = 0;
        uint64_t resyncs = 0;
        uint64_t cacheInstalls = 0;
    } m_counters;
};
