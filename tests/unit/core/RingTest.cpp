// RingTest.cpp - pg_ring: whole records in order, never split, losses
// always reported with sequence continuity, reserve kept for holds.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "MessageBuilder.h"

namespace
{

constexpr uint32_t kFixed = sizeof(pg_event);

struct Popped {
    pg_event ev;
    std::string image, cmdline, sid, parent;
};

class RingTest : public ::testing::Test
{
protected:
    void init(uint32_t size, uint32_t reserve = 0, size_t offset = 0)
    {
        m_buf.assign(size + 16, 0xEE);
        pg_ring_init(&m_ring, m_buf.data() + offset, size, reserve);
    }

    pg_event make(uint64_t seq, uint16_t kind = PG_EV_START)
    {
        pg_event ev{};
        ev.kind = kind;
        ev.seq = seq;
        ev.mode = PG_MODE_PROMPT;
        ev.pid = static_cast<uint32_t>(seq);
        ev.time_ns = 1000 + seq;
        if (kind == PG_EV_REQUEST) {
            ev.hold_id = seq;
            ev.default_verdict = PG_VERDICT_BLOCK;
        }
        return ev;
    }

    // Pushes an event with an image of imageBytes characters.
    int push(uint64_t seq, uint32_t imageBytes = 0, bool priority = false,
             uint16_t kind = PG_EV_START)
    {
        pg_event ev = make(seq, kind);
        std::string image(imageBytes, 'i');
        ev.image_len = static_cast<uint16_t>(imageBytes ? imageBytes + 1 : 0);
        return pg_ring_push(&m_ring, &ev, imageBytes ? image.c_str() : nullptr, nullptr, nullptr,
                            nullptr, priority ? 1 : 0);
    }

    // Pops everything, validating each record as a client would.
    std::vector<Popped> popAll(uint32_t outSize = 1u << 16)
    {
        std::vector<Popped> all;
        std::vector<uint8_t> out(outSize);
        for (;;) {
            uint32_t count = 0;
            const uint32_t n = pg_ring_pop(&m_ring, out.data(), outSize, &count);
            if (n == 0) {
                EXPECT_EQ(0u, count);
                break;
            }
            uint32_t off = 0;
            for (uint32_t i = 0; i < count; ++i) {
                uint32_t size = 0;
                EXPECT_EQ(PG_OK, pg_validate_event(out.data() + off, n - off, &size));
                Popped p;
                std::memcpy(&p.ev, out.data() + off, sizeof(pg_event));
                const pg_event *ev = reinterpret_cast<const pg_event *>(out.data() + off);
                if (pg_event_image(ev) != nullptr) {
                    p.image = pg_event_image(ev);
                }
                if (pg_event_cmdline(ev) != nullptr) {
                    p.cmdline = pg_event_cmdline(ev);
                }
                if (pg_event_sid(ev) != nullptr) {
                    p.sid = pg_event_sid(ev);
                }
                if (pg_event_parent_image(ev) != nullptr) {
                    p.parent = pg_event_parent_image(ev);
                }
                all.push_back(p);
                off += size;
            }
            EXPECT_EQ(n, off);
        }
        return all;
    }

    // The client-side continuity rule of pg_ring.h.
    static void expectContinuous(const std::vector<Popped> &recs, uint64_t firstSeq,
                                 uint64_t endSeq)
    {
        uint64_t expected = firstSeq;
        for (const Popped &p : recs) {
            EXPECT_EQ(expected, p.ev.seq);
            expected = p.ev.kind == PG_EV_OVERFLOW ? p.ev.seq + p.ev.lost : p.ev.seq + 1;
        }
        EXPECT_EQ(endSeq, expected);
    }

    std::vector<uint8_t> m_buf;
    pg_ring m_ring{};
};

} // namespace

TEST(EventRecordSize, IsFixedPartPlusStringsRoundedToEight)
{
    EXPECT_EQ(kFixed, pg_event_record_size(0, 0, 0, 0));
    EXPECT_EQ(kFixed + 8, pg_event_record_size(1, 0, 0, 0));
    EXPECT_EQ(kFixed + 16, pg_event_record_size(5, 4, 3, 2));
}

TEST_F(RingTest, InitRoundsSizeDownToEight)
{
    init(1003);
    EXPECT_EQ(1000u, m_ring.size);
    EXPECT_EQ(0u, pg_ring_used(&m_ring));
}

TEST_F(RingTest, PushThenPopReturnsTheSameEventAndStrings)
{
    init(4096);
    pg_event ev = make(5, PG_EV_EXEC);
    ev.flags = PG_EVF_TRUNCATED;
    ev.uid = 1000;
    ev.image_len = 8;
    ev.cmdline_len = 11;
    ev.parent_image_len = 10;
    ASSERT_EQ(PG_OK, pg_ring_push(&m_ring, &ev, "/bin/ls", "ls -la /tm", nullptr, "/bin/bash", 0));
    EXPECT_EQ(pg_event_record_size(8, 11, 0, 10), pg_ring_used(&m_ring));
    const std::vector<Popped> recs = popAll();
    ASSERT_EQ(1u, recs.size());
    EXPECT_EQ(5u, recs[0].ev.seq);
    EXPECT_EQ(PG_EV_EXEC, recs[0].ev.kind);
    EXPECT_EQ(1000u, recs[0].ev.uid);
    EXPECT_EQ("/bin/ls", recs[0].image);
    EXPECT_EQ("ls -la /tm", recs[0].cmdline);
    EXPECT_EQ("", recs[0].sid);
    EXPECT_EQ("/bin/bash", recs[0].parent);
    EXPECT_EQ(0u, pg_ring_used(&m_ring));
}

TEST_F(RingTest, RecordsComeOutInOrder)
{
    init(4096);
    for (uint64_t s = 1; s <= 20; ++s) {
        ASSERT_EQ(PG_OK, push(s, static_cast<uint32_t>(s * 3)));
    }
    const std::vector<Popped> recs = popAll();
    ASSERT_EQ(20u, recs.size());
    expectContinuous(recs, 1, 21);
    EXPECT_EQ(std::string(60, 'i'), recs.back().image);
}

TEST_F(RingTest, PopStopsAtFirstRecordThatDoesNotFit)
{
    init(4096);
    push(1);
    push(2, 100);
    std::vector<uint8_t> out(kFixed + 50);
    uint32_t count = 0;
    EXPECT_EQ(kFixed, pg_ring_pop(&m_ring, out.data(), static_cast<uint32_t>(out.size()), &count));
    EXPECT_EQ(1u, count);
    EXPECT_EQ(0u, pg_ring_pop(&m_ring, out.data(), static_cast<uint32_t>(out.size()), &count));
    EXPECT_EQ(0u, count);
    const std::vector<Popped> rest = popAll();
    ASSERT_EQ(1u, rest.size());
    EXPECT_EQ(2u, rest[0].ev.seq);
}

TEST_F(RingTest, RecordsAreNeverSplitAcrossTheEnd)
{
    // 5 fixed-size records fit in 480 bytes with 40 left at the end.
    init(480);
    uint64_t seq = 1;
    uint64_t next = 1;
    for (int round = 0; round < 50; ++round) {
        while (push(seq, static_cast<uint32_t>((seq * 7) % 40)) == PG_OK) {
            ++seq;
        }
        // The last push was dropped; pop one record and check order.
        std::vector<uint8_t> out(130); // one record at most (88 + 40)
        uint32_t count = 0;
        const uint32_t n = pg_ring_pop(&m_ring, out.data(), 130, &count);
        ASSERT_EQ(1u, count);
        ASSERT_EQ(PG_OK, pg_validate_event(out.data(), n, nullptr));
        pg_event ev;
        std::memcpy(&ev, out.data(), sizeof(ev));
        if (ev.kind == PG_EV_OVERFLOW) {
            EXPECT_EQ(next, ev.seq);
            next = ev.seq + ev.lost;
        } else {
            EXPECT_EQ(next, ev.seq);
            next = ev.seq + 1;
        }
        ++seq; // the dropped one stays lost
    }
    EXPECT_GT(m_ring.lost_total, 0u);
}

TEST_F(RingTest, RecordThatDoesNotFitAtEndGoesToStartBehindWrapMarker)
{
    init(kFixed * 3 + 40); // 40 bytes stay free at the end
    ASSERT_EQ(PG_OK, push(1));
    ASSERT_EQ(PG_OK, push(2));
    ASSERT_EQ(PG_OK, push(3));
    std::vector<uint8_t> out(kFixed);
    uint32_t count = 0;
    ASSERT_EQ(kFixed, pg_ring_pop(&m_ring, out.data(), kFixed, &count));
    ASSERT_EQ(PG_OK, push(4));
    // The skipped tail counts as used until the reader passes it.
    EXPECT_EQ(m_ring.size, pg_ring_used(&m_ring));
    EXPECT_EQ(PG_E_NOSPACE, push(5));
    std::vector<Popped> recs = popAll();
    ASSERT_EQ(3u, recs.size());
    EXPECT_EQ(0u, pg_ring_used(&m_ring));
    ASSERT_EQ(PG_OK, push(6));
    const std::vector<Popped> more = popAll();
    recs.insert(recs.end(), more.begin(), more.end());
    ASSERT_EQ(5u, recs.size());
    EXPECT_EQ(PG_EV_OVERFLOW, recs[3].ev.kind);
    expectContinuous(recs, 2, 7);
}

TEST_F(RingTest, WrapAroundKeepsOrderAndContent)
{
    init(1024);
    uint64_t pushed = 0;
    std::vector<Popped> all;
    for (int round = 0; round < 200; ++round) {
        for (int k = 0; k < 3; ++k) {
            ++pushed;
            ASSERT_EQ(PG_OK, push(pushed, static_cast<uint32_t>(pushed % 37)));
        }
        std::vector<Popped> got = popAll();
        all.insert(all.end(), got.begin(), got.end());
        ASSERT_EQ(0u, pg_ring_used(&m_ring));
    }
    ASSERT_EQ(pushed, all.size());
    expectContinuous(all, 1, pushed + 1);
    for (const Popped &p : all) {
        EXPECT_EQ(std::string(p.ev.seq % 37, 'i'), p.image);
    }
}

TEST_F(RingTest, PartialPopsAcrossTheEndKeepOrder)
{
    // Pushes and single-record pops interleave, so the write position
    // passes the end of the buffer many times with records queued.
    init(600);
    uint64_t seq = 0, next = 1, popped = 0;
    std::vector<uint8_t> out(kFixed + 64);
    for (int i = 0; i < 2000; ++i) {
        ++seq;
        push(seq, static_cast<uint32_t>((seq * 13) % 60));
        if (i % 2 == 0) {
            uint32_t count = 0;
            const uint32_t n =
                pg_ring_pop(&m_ring, out.data(), static_cast<uint32_t>(out.size()), &count);
            if (count == 1) {
                ASSERT_EQ(PG_OK, pg_validate_event(out.data(), n, nullptr));
                pg_event ev;
                std::memcpy(&ev, out.data(), sizeof(ev));
                ASSERT_EQ(next, ev.seq);
                next = ev.kind == PG_EV_OVERFLOW ? ev.seq + ev.lost : ev.seq + 1;
                ++popped;
            }
        }
    }
    EXPECT_GT(popped, 500u);
}

TEST_F(RingTest, DroppedEventsAreReportedByOverflowBeforeNextEvent)
{
    init(kFixed * 3);
    ASSERT_EQ(PG_OK, push(1));
    ASSERT_EQ(PG_OK, push(2));
    ASSERT_EQ(PG_OK, push(3));
    EXPECT_EQ(PG_E_NOSPACE, push(4));
    EXPECT_EQ(PG_E_NOSPACE, push(5));
    EXPECT_EQ(2u, m_ring.lost_pending);
    EXPECT_EQ(4u, m_ring.first_lost_seq);

    std::vector<Popped> first = popAll();
    ASSERT_EQ(3u, first.size());
    ASSERT_EQ(PG_OK, push(6));
    std::vector<Popped> second = popAll();
    ASSERT_EQ(2u, second.size());
    EXPECT_EQ(PG_EV_OVERFLOW, second[0].ev.kind);
    EXPECT_EQ(4u, second[0].ev.seq);
    EXPECT_EQ(2u, second[0].ev.lost);
    EXPECT_EQ(PG_MODE_PROMPT, second[0].ev.mode);
    EXPECT_EQ(6u, second[1].ev.seq);

    first.insert(first.end(), second.begin(), second.end());
    expectContinuous(first, 1, 7);
    EXPECT_EQ(2u, m_ring.lost_total);
    EXPECT_EQ(0u, m_ring.lost_pending);
    EXPECT_EQ(4u, m_ring.queued_total);
}

TEST_F(RingTest, OverflowRecordNeedsRoomTooAndKeepsCounting)
{
    // Room for one fixed record only after the loss: OVERFLOW + event do
    // not fit together, so the event is dropped and counted as well.
    init(kFixed * 2);
    ASSERT_EQ(PG_OK, push(1));
    ASSERT_EQ(PG_OK, push(2));
    EXPECT_EQ(PG_E_NOSPACE, push(3));
    std::vector<uint8_t> out(kFixed);
    uint32_t count = 0;
    pg_ring_pop(&m_ring, out.data(), kFixed, &count);
    ASSERT_EQ(1u, count);
    EXPECT_EQ(PG_E_NOSPACE, push(4));
    EXPECT_EQ(2u, m_ring.lost_pending);
    std::vector<Popped> recs = popAll();
    ASSERT_EQ(1u, recs.size());
    EXPECT_EQ(2u, recs[0].ev.seq);
    ASSERT_EQ(PG_OK, push(5));
    recs = popAll();
    ASSERT_EQ(2u, recs.size());
    EXPECT_EQ(PG_EV_OVERFLOW, recs[0].ev.kind);
    EXPECT_EQ(3u, recs[0].ev.seq);
    EXPECT_EQ(2u, recs[0].ev.lost);
    expectContinuous(recs, 3, 6);
}

TEST_F(RingTest, SustainedOverloadStaysContinuous)
{
    init(2048);
    std::vector<Popped> all;
    uint64_t seq = 0;
    for (int round = 0; round < 300; ++round) {
        for (int k = 0; k < 10; ++k) {
            ++seq;
            push(seq, static_cast<uint32_t>((seq * 11) % 90));
        }
        std::vector<uint8_t> out(700);
        uint32_t count = 0;
        const uint32_t n = pg_ring_pop(&m_ring, out.data(), 700, &count);
        uint32_t off = 0;
        for (uint32_t i = 0; i < count; ++i) {
            Popped p;
            std::memcpy(&p.ev, out.data() + off, sizeof(pg_event));
            off += p.ev.size;
            all.push_back(p);
        }
        EXPECT_EQ(n, off);
    }
    // Drain, then one final event flushes any pending loss report.
    std::vector<Popped> rest = popAll();
    all.insert(all.end(), rest.begin(), rest.end());
    ASSERT_EQ(PG_OK, push(++seq));
    rest = popAll();
    all.insert(all.end(), rest.begin(), rest.end());
    expectContinuous(all, 1, seq + 1);
    EXPECT_GT(m_ring.lost_total, 0u);
    uint64_t reportedLost = 0;
    for (const Popped &p : all) {
        if (p.ev.kind == PG_EV_OVERFLOW) {
            reportedLost += p.ev.lost;
        }
    }
    EXPECT_EQ(m_ring.lost_total, reportedLost);
}

TEST_F(RingTest, ReserveIsKeptForPriorityRecords)
{
    init(kFixed * 4, kFixed * 2);
    ASSERT_EQ(PG_OK, push(1));
    ASSERT_EQ(PG_OK, push(2));
    EXPECT_EQ(PG_E_NOSPACE, push(3));                  // ordinary events stop at size - reserve
    EXPECT_EQ(PG_OK, push(4, 0, true, PG_EV_REQUEST)); // OVERFLOW + REQUEST use the reserve
    const std::vector<Popped> recs = popAll();
    ASSERT_EQ(4u, recs.size());
    EXPECT_EQ(PG_EV_OVERFLOW, recs[2].ev.kind);
    EXPECT_EQ(3u, recs[2].ev.seq);
    EXPECT_EQ(PG_EV_REQUEST, recs[3].ev.kind);
    expectContinuous(recs, 1, 5);
}

TEST_F(RingTest, PriorityRecordIsDroppedOnlyWhenReserveIsGone)
{
    init(kFixed * 2, kFixed);
    ASSERT_EQ(PG_OK, push(1));
    ASSERT_EQ(PG_OK, push(2, 0, true, PG_EV_REQUEST));
    EXPECT_EQ(PG_E_NOSPACE, push(3, 0, true, PG_EV_REQUEST));
    EXPECT_EQ(1u, m_ring.lost_total);
}

TEST_F(RingTest, ReserveLargerThanRingIsClamped)
{
    init(kFixed * 2, kFixed * 10);
    EXPECT_EQ(m_ring.size, m_ring.reserve);
    EXPECT_EQ(PG_E_NOSPACE, push(1));
    EXPECT_EQ(PG_OK, push(2, 0, true, PG_EV_REQUEST));
}

TEST_F(RingTest, EventLargerThanRingIsDroppedAndCounted)
{
    init(256);
    EXPECT_EQ(PG_E_NOSPACE, push(1, 400));
    EXPECT_EQ(1u, m_ring.lost_total);
    ASSERT_EQ(PG_OK, push(2));
    const std::vector<Popped> recs = popAll();
    ASSERT_EQ(2u, recs.size());
    expectContinuous(recs, 1, 3);
}

TEST_F(RingTest, MalformedEventIsDroppedAndReportedNotQueued)
{
    init(4096);
    pg_event ev = make(1);
    ev.image_len = 4;
    EXPECT_EQ(PG_E_STRING, pg_ring_push(&m_ring, &ev, "abcd", nullptr, nullptr, nullptr, 0));
    ev = make(2);
    ev.image_len = 5;
    EXPECT_EQ(PG_E_STRING, pg_ring_push(&m_ring, &ev, nullptr, nullptr, nullptr, nullptr, 0));
    ev = make(3);
    ev.mode = 0;
    EXPECT_EQ(PG_E_RANGE, pg_ring_push(&m_ring, &ev, nullptr, nullptr, nullptr, nullptr, 0));
    EXPECT_EQ(0u, pg_ring_used(&m_ring));
    ASSERT_EQ(PG_OK, push(4));
    const std::vector<Popped> recs = popAll();
    ASSERT_EQ(2u, recs.size());
    EXPECT_EQ(PG_EV_OVERFLOW, recs[0].ev.kind);
    EXPECT_EQ(3u, recs[0].ev.lost);
    expectContinuous(recs, 1, 5);
}

TEST_F(RingTest, ReservedFieldIsZeroedAndPaddingIsClean)
{
    init(1024, 0, 3); // unaligned buffer on purpose
    pg_event ev = make(1);
    ev.reserved = 0xFFFF;
    ev.image_len = 2;
    ASSERT_EQ(PG_OK, pg_ring_push(&m_ring, &ev, "x", nullptr, nullptr, nullptr, 0));
    const std::vector<Popped> recs = popAll();
    ASSERT_EQ(1u, recs.size());
    EXPECT_EQ(0u, recs[0].ev.reserved);
    EXPECT_EQ("x", recs[0].image);
}

TEST_F(RingTest, RingWithoutBufferDropsEverything)
{
    pg_ring_init(&m_ring, nullptr, 4096, 0);
    EXPECT_EQ(PG_E_NOSPACE, push(1));
    EXPECT_EQ(1u, m_ring.lost_total);
    uint32_t count = 7;
    EXPECT_EQ(0u, pg_ring_pop(&m_ring, nullptr, 0, &count));
    EXPECT_EQ(0u, count);
}

TEST(EventAccessors, AbsentStringsAreNull)
{
    pg_event ev{};
    EXPECT_EQ(nullptr, pg_event_image(&ev));
    EXPECT_EQ(nullptr, pg_event_cmdline(&ev));
    EXPECT_EQ(nullptr, pg_event_sid(&ev));
    EXPECT_EQ(nullptr, pg_event_parent_image(&ev));
    EXPECT_EQ(nullptr, pg_event_image(nullptr));
}

TEST(EventAccessors, StringsFollowInDocumentedOrder)
{
    pgtest::EventSpec e = pgtest::event(PG_EV_START, 1);
    e.image = "img";
    e.cmdline = "cmd line";
    e.sid = "S-1-5-18";
    e.parentImage = "parent";
    pgtest::Bytes b = pgtest::events({e});
    ASSERT_EQ(PG_OK, pg_validate_server_message(b.data(), b.size(), nullptr));
    const pg_event *ev = reinterpret_cast<const pg_event *>(b.data() + sizeof(pg_events_msg));
    EXPECT_STREQ("img", pg_event_image(ev));
    EXPECT_STREQ("cmd line", pg_event_cmdline(ev));
    EXPECT_STREQ("S-1-5-18", pg_event_sid(ev));
    EXPECT_STREQ("parent", pg_event_parent_image(ev));
}
