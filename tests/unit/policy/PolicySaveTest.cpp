// PolicySaveTest.cpp - saving a policy file: atomic replacement, a backup
// of the previous file on every save, and the failure cases (a full disk,
// a failed rename) leaving the old file and the policy as they were.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "FakeFileSystem.h"
#include "PolicyFile.h"

using namespace pg;
using namespace pg::policy;

namespace
{

const std::string kPath = "/var/lib/procguard/policy.json";

PolicyDocument docWith(const std::string &pattern, Mode mode = Mode::Lockdown)
{
    PolicyDocument d;
    d.policy.mode = mode;
    Rule r;
    r.id = 1;
    r.kind = RuleKind::Exact;
    r.action = Verdict::Allow;
    r.pattern = pattern;
    d.policy.rules.push_back(r);
    return d;
}

class PolicySaveTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        PolicyError e;
        ASSERT_TRUE(PolicyFile(kPath, m_fs).save(docWith("/bin/old"), &e)) << e.message;
        m_old = m_fs.files.at(kPath);
        m_fs.log.clear();
    }

    std::string loadedPattern()
    {
        PolicyDocument d;
        PolicyError e;
        EXPECT_TRUE(PolicyFile(kPath, m_fs).load(&d, &e)) << e.message;
        return d.policy.rules.empty() ? "" : d.policy.rules[0].pattern;
    }

    test::FakeFileSystem m_fs;
    std::string m_old;
};

} // namespace

TEST_F(PolicySaveTest, SaveWritesATempFileSyncsItThenRenamesAndSyncsTheFolder)
{
    PolicyError e;
    ASSERT_TRUE(PolicyFile(kPath, m_fs).save(docWith("/bin/new"), &e)) << e.message;
    const std::vector<std::string> expected{
        // the backup of the previous file, the same way
        "create " + kPath + ".bak.tmp", "write " + kPath + ".bak.tmp", "sync " + kPath + ".bak.tmp",
        "rename " + kPath + ".bak.tmp " + kPath + ".bak", "syncdir /var/lib/procguard",
        // then the new file
        "create " + kPath + ".tmp", "write " + kPath + ".tmp", "sync " + kPath + ".tmp",
        "rename " + kPath + ".tmp " + kPath, "syncdir /var/lib/procguard"};
    EXPECT_EQ(m_fs.log, expected);
    EXPECT_EQ(loadedPattern(), "/bin/new");
    EXPECT_EQ(m_fs.files.count(kPath + ".tmp"), 0u);
}

TEST_F(PolicySaveTest, EverySaveKeepsThePreviousFileAsBackup)
{
    PolicyError e;
    ASSERT_TRUE(PolicyFile(kPath, m_fs).save(docWith("/bin/second"), &e)) << e.message;
    EXPECT_EQ(m_fs.files.at(kPath + ".bak"), m_old);
    const std::string second = m_fs.files.at(kPath);
    ASSERT_TRUE(PolicyFile(kPath, m_fs).save(docWith("/bin/third"), &e)) << e.message;
    EXPECT_EQ(m_fs.files.at(kPath + ".bak"), second);
}

TEST_F(PolicySaveTest, FirstSaveHasNoBackupToKeep)
{
    test::FakeFileSystem fresh;
    PolicyError e;
    ASSERT_TRUE(PolicyFile("/x/policy.json", fresh).save(docWith("/bin/a"), &e)) << e.message;
    EXPECT_EQ(fresh.files.count("/x/policy.json.bak"), 0u);
}

TEST_F(PolicySaveTest, DiskFullDuringSaveKeepsTheOldFileAndThePolicy)
{
    // Room for the backup, not for the new file.
    m_fs.diskSpace = static_cast<long>(m_old.size()) + 10;
    PolicyDocument inForce = docWith("/bin/old");
    PolicyError e;
    EXPECT_FALSE(PolicyFile(kPath, m_fs).save(docWith("/bin/" + std::string(500, 'n')), &e));
    EXPECT_EQ(e.sysError, ENOSPC);
    EXPECT_NE(e.message.find("Not saved"), std::string::npos) << e.message;
    EXPECT_EQ(m_fs.files.at(kPath), m_old);
    EXPECT_EQ(m_fs.files.count(kPath + ".tmp"), 0u) << "the partial temp file is removed";
    EXPECT_EQ(inForce.policy.rules[0].pattern, "/bin/old");
    m_fs.diskSpace = -1;
    EXPECT_EQ(loadedPattern(), "/bin/old");
}

TEST_F(PolicySaveTest, DiskFullWhileWritingTheBackupSavesNothing)
{
    m_fs.diskSpace = 3;
    PolicyError e;
    EXPECT_FALSE(PolicyFile(kPath, m_fs).save(docWith("/bin/new"), &e));
    EXPECT_EQ(e.sysError, ENOSPC);
    EXPECT_EQ(m_fs.files.at(kPath), m_old);
}

TEST_F(PolicySaveTest, RenameFailureKeepsTheOldFile)
{
    m_fs.failRenameTo = EXDEV;
    m_fs.failRenameTarget = kPath;
    PolicyError e;
    EXPECT_FALSE(PolicyFile(kPath, m_fs).save(docWith("/bin/new"), &e));
    EXPECT_EQ(e.sysError, EXDEV);
    EXPECT_NE(e.message.find("replace " + kPath), std::string::npos) << e.message;
    EXPECT_EQ(m_fs.files.at(kPath), m_old);
    EXPECT_EQ(m_fs.files.count(kPath + ".tmp"), 0u);
}

TEST_F(PolicySaveTest, FailedFlushIsNotReportedAsSaved)
{
    m_fs.failSync = EIO;
    PolicyError e;
    EXPECT_FALSE(PolicyFile(kPath, m_fs).save(docWith("/bin/new"), &e));
    EXPECT_EQ(m_fs.files.at(kPath), m_old);
}

TEST_F(PolicySaveTest, FailedFolderSyncSaysTheFileIsInPlaceButNotDurable)
{
    test::FakeFileSystem fresh; // no previous file, so no backup step before
    fresh.failSyncDir = EIO;
    PolicyError e;
    EXPECT_FALSE(PolicyFile(kPath, fresh).save(docWith("/bin/new"), &e));
    EXPECT_NE(e.message.find("power loss"), std::string::npos) << e.message;
    EXPECT_EQ(fresh.files.count(kPath), 1u);
}

TEST_F(PolicySaveTest, FailedFolderSyncOfTheBackupSavesNothing)
{
    m_fs.failSyncDir = EIO;
    PolicyError e;
    EXPECT_FALSE(PolicyFile(kPath, m_fs).save(docWith("/bin/new"), &e));
    EXPECT_EQ(m_fs.files.at(kPath), m_old);
}

TEST_F(PolicySaveTest, LeftoverTempFileOfAnInterruptedSaveIsReplaced)
{
    m_fs.files[kPath + ".tmp"] = "{ half a poli";
    PolicyError e;
    ASSERT_TRUE(PolicyFile(kPath, m_fs).save(docWith("/bin/new"), &e)) << e.message;
    EXPECT_EQ(loadedPattern(), "/bin/new");
}

TEST_F(PolicySaveTest, InvalidPolicyIsNotWritten)
{
    PolicyDocument bad = docWith("/bin/x");
    bad.policy.rules[0].kind = RuleKind::Sha256;
    PolicyError e;
    EXPECT_FALSE(PolicyFile(kPath, m_fs).save(bad, &e));
    EXPECT_EQ(e.pointer, "/rules/0/pattern");
    EXPECT_TRUE(m_fs.log.empty());
}

TEST(PolicySaveOnDisk, RealFileSystemSavesAtomicallyWithBackupAndPrivateMode)
{
    char dirTemplate[] = "/tmp/pg-policy-test-XXXXXX";
    const char *dir = mkdtemp(dirTemplate);
    ASSERT_NE(dir, nullptr);
    const std::string path = std::string(dir) + "/policy.json";
    PolicyError e;
    ASSERT_TRUE(PolicyFile(path).save(docWith("/bin/one"), &e)) << e.message;
    ASSERT_TRUE(PolicyFile(path).save(docWith("/bin/two"), &e)) << e.message;
    PolicyDocument now, backup;
    ASSERT_TRUE(PolicyFile(path).load(&now, &e)) << e.message;
    ASSERT_TRUE(PolicyFile(path + ".bak").load(&backup, &e)) << e.message;
    EXPECT_EQ(now.policy.rules[0].pattern, "/bin/two");
    EXPECT_EQ(backup.policy.rules[0].pattern, "/bin/one");
    struct stat st {
    };
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777u, 0600u);
    EXPECT_NE(access((path + ".tmp").c_str(), F_OK), 0);
    unlink(path.c_str());
    unlink((path + ".bak").c_str());
    rmdir(dir);
}
