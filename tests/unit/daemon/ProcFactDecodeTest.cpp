// ProcFactDecodeTest.cpp - BPF ring records become the process facts the
// /proc readers would have given: lengths checked against the record,
// command lines cut and flagged as /proc/PID/cmdline is, start times in
// /proc/PID/stat's clock ticks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <sys/sysmacros.h>
#include <vector>

#include "ProcFactDecode.h"
#include "pg_proc_facts.h"

namespace
{

constexpr uint64_t kNsPerTick = 10000000; // USER_HZ 100
constexpr size_t kMaxCmdline = 8192;

std::vector<uint8_t> record(uint32_t kind, const std::string &args, const std::string &path,
                            uint16_t flags = 0, const char *comm = "prog")
{
    pg_fact_hdr h;
    std::memset(&h, 0, sizeof h);
    h.kind = kind;
    h.pid = 4242;
    h.ppid = 17;
    h.uid = 1000;
    h.start_boottime_ns = 123456789012ull;
    h.exit_code = 0x700;
    h.flags = flags;
    h.args_len = static_cast<uint16_t>(args.size());
    h.path_len = static_cast<uint16_t>(path.size());
    h.dev = (259u << 20) | 3u; // the kernel's encoding of 259:3
    std::memcpy(h.comm, comm, std::min(std::strlen(comm), sizeof h.comm));
    std::vector<uint8_t> out(sizeof h + args.size() + path.size());
    std::memcpy(out.data(), &h, sizeof h);
    std::memcpy(out.data() + sizeof h, args.data(), args.size());
    std::memcpy(out.data() + sizeof h + args.size(), path.data(), path.size());
    return out;
}

bool decode(const std::vector<uint8_t> &r, ProcFact *f)
{
    return decodeProcFact(r.data(), r.size(), kNsPerTick, kMaxCmdline, f);
}

} // namespace

TEST(ProcFactDecode, ExecRecordGivesImageCommandLineAndStartTicks)
{
    ProcFact f;
    ASSERT_TRUE(
        decode(record(PG_FACT_EXEC, std::string("/bin/ls\0-l\0a b\0", 15), "/usr/bin/ls"), &f));
    EXPECT_EQ(f.kind, ProcFact::Kind::Exec);
    EXPECT_EQ(f.pid, 4242u);
    EXPECT_EQ(f.ppid, 17u);
    EXPECT_EQ(f.uid, 1000u);
    EXPECT_EQ(f.startTicks, 12345u) << "truncating division, as nsec_to_clock_t";
    EXPECT_TRUE(f.imageKnown);
    EXPECT_EQ(f.image, "/usr/bin/ls");
    EXPECT_TRUE(f.cmdlineKnown);
    EXPECT_EQ(f.cmdline, "/bin/ls -l a b");
    EXPECT_FALSE(f.cmdlineTruncated);
    EXPECT_EQ(f.comm, "prog");
    EXPECT_EQ(f.imageDev, makedev(259, 3)) << "the kernel's device number, as stat() gives it";
}

TEST(ProcFactDecode, ForkAndExitRecordsCarryNoStrings)
{
    ProcFact f;
    ASSERT_TRUE(decode(record(PG_FACT_FORK, "", ""), &f));
    EXPECT_EQ(f.kind, ProcFact::Kind::Fork);
    EXPECT_EQ(f.ppid, 17u);
    EXPECT_FALSE(f.imageKnown);
    ASSERT_TRUE(decode(record(PG_FACT_EXIT, "", ""), &f));
    EXPECT_EQ(f.kind, ProcFact::Kind::Exit);
    EXPECT_EQ(f.exitCode, 0x700u);
}

TEST(ProcFactDecode, ArgvCutByTheKernelIsFlaggedAndCutLikeProcCmdline)
{
    ProcFact f;
    std::string argv(kMaxCmdline, 'x');
    ASSERT_TRUE(decode(record(PG_FACT_EXEC, argv, "/p", PG_FACTF_ARGS_TRUNCATED), &f));
    EXPECT_TRUE(f.cmdlineTruncated);
    EXPECT_EQ(f.cmdline.size(), kMaxCmdline - 1);
}

TEST(ProcFactDecode, ArgvThatFitsExactlyIsNotTruncated)
{
    ProcFact f;
    std::string argv(kMaxCmdline - 1, 'y');
    argv.push_back('\0');
    ASSERT_TRUE(decode(record(PG_FACT_EXEC, argv, "/p"), &f));
    EXPECT_FALSE(f.cmdlineTruncated);
    EXPECT_EQ(f.cmdline.size(), kMaxCmdline - 1);
}

TEST(ProcFactDecode, EmptyArgvShowsTheNameInBracketsAsPsDoes)
{
    ProcFact f;
    ASSERT_TRUE(decode(record(PG_FACT_EXEC, std::string("\0", 1), "/p", 0, "kworker"), &f));
    EXPECT_EQ(f.cmdline, "[kworker]");
}

TEST(ProcFactDecode, UnreadArgvAndUnfinishedPathAskTheCallerToReadProc)
{
    ProcFact f;
    ASSERT_TRUE(decode(record(PG_FACT_EXEC, "", "/a/b", PG_FACTF_ARGS_UNREAD), &f));
    EXPECT_FALSE(f.cmdlineKnown);
    EXPECT_TRUE(f.imageKnown);
    ASSERT_TRUE(decode(
        record(PG_FACT_EXEC, std::string("a\0", 2), "/deep/b", PG_FACTF_PATH_TRUNCATED), &f));
    EXPECT_FALSE(f.imageKnown);
    EXPECT_TRUE(f.cmdlineKnown);
    ASSERT_TRUE(decode(record(PG_FACT_EXEC, std::string("a\0", 2), "relative"), &f));
    EXPECT_FALSE(f.imageKnown) << "only an absolute path is an image";
}

TEST(ProcFactDecode, RecordsShorterThanTheirLengthsOrOfUnknownKindAreRefused)
{
    ProcFact f;
    std::vector<uint8_t> r = record(PG_FACT_EXEC, std::string("abc\0", 4), "/x/y");
    std::vector<uint8_t> cut(r.begin(), r.end() - 1);
    EXPECT_FALSE(decode(cut, &f));
    std::vector<uint8_t> header(r.begin(), r.begin() + sizeof(pg_fact_hdr) - 1);
    EXPECT_FALSE(decode(header, &f));
    EXPECT_FALSE(decode(record(99, "", ""), &f));
    EXPECT_FALSE(decodeProcFact(nullptr, 0, kNsPerTick, kMaxCmdline, &f));
}

TEST(ProcFactDecode, AFileWithoutAPathAsksTheCallerToReadProc)
{
    // An in-memory file's walk ends at once: "/" names no program.
    ProcFact f;
    ASSERT_TRUE(decode(record(PG_FACT_EXEC, std::string("/bin/true\0", 10), "/"), &f));
    EXPECT_FALSE(f.imageKnown);
    EXPECT_TRUE(f.pathless);
}
