// SentryChannelTest.cpp - the frames between procguardd and
// procguard-sentry, and the descriptor that rides along with HELLO.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "SentryChannel.h"

TEST(SentryChannelTest, FramesArriveWholeHoweverTheStreamIsCut)
{
    std::vector<uint8_t> stream;
    sentry::encode(sentry::kHello, {1, 0, 0, 0}, &stream);
    sentry::encode(sentry::kPolicy, std::vector<uint8_t>(1000, 7), &stream);
    sentry::encode(sentry::kRelease, {}, &stream);
    std::vector<uint8_t> buf;
    std::vector<sentry::Frame> frames;
    for (uint8_t byte : stream) { // one byte at a time
        buf.push_back(byte);
        ASSERT_TRUE(sentry::decode(&buf, &frames));
    }
    ASSERT_EQ(3u, frames.size());
    EXPECT_EQ(sentry::kHello, frames[0].type);
    EXPECT_EQ(4u, frames[0].payload.size());
    EXPECT_EQ(sentry::kPolicy, frames[1].type);
    EXPECT_EQ(std::vector<uint8_t>(1000, 7), frames[1].payload);
    EXPECT_EQ(sentry::kRelease, frames[2].type);
    EXPECT_TRUE(buf.empty());
}

TEST(SentryChannelTest, UnknownTypeOrOversizedPayloadIsMalformed)
{
    std::vector<uint8_t> unknown;
    sentry::encode(9, {}, &unknown);
    std::vector<sentry::Frame> frames;
    EXPECT_FALSE(sentry::decode(&unknown, &frames));
    std::vector<uint8_t> huge = {2, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f};
    EXPECT_FALSE(sentry::decode(&huge, &frames));
    EXPECT_TRUE(frames.empty());
}

TEST(SentryChannelTest, HelloCarriesADescriptorToTheSameOpenFile)
{
    int pair[2];
    ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair));
    int pipeFds[2];
    ASSERT_EQ(0, pipe2(pipeFds, O_CLOEXEC));
    std::vector<uint8_t> hello;
    sentry::encode(sentry::kHello, {42, 0, 0, 0}, &hello);
    ASSERT_TRUE(sentry::sendWithFd(pair[0], hello, pipeFds[1]));
    std::vector<uint8_t> buf;
    int received = -1;
    ASSERT_GT(sentry::receive(pair[1], &buf, &received), 0);
    ASSERT_GE(received, 0);
    struct stat a, b;
    ASSERT_EQ(0, fstat(pipeFds[1], &a));
    ASSERT_EQ(0, fstat(received, &b));
    EXPECT_EQ(a.st_ino, b.st_ino);
    EXPECT_NE(0, fcntl(received, F_GETFD) & FD_CLOEXEC);
    std::vector<sentry::Frame> frames;
    ASSERT_TRUE(sentry::decode(&buf, &frames));
    ASSERT_EQ(1u, frames.size());
    EXPECT_EQ(42, frames[0].payload[0]);
    for (int fd : {pair[0], pair[1], pipeFds[0], pipeFds[1], received})
        close(fd);
}
