// BpfProcFacts.h - process start, exec and exit facts from the kernel's
// scheduler tracepoints, through BPF programs and a ring buffer.
//
// Owns: the BPF object built from bpf/ProcFacts.bpf.c (programs, ring
// buffer, scratch map, the drop counter), its three raw tracepoint links,
// and the decoding of ring records (ProcFactDecode.h). Nothing is pinned:
// closing (or the process ending) detaches the programs and frees the
// maps.
//
// Call order: open() once, before the fanotify marks (libbpf reads the
// kernel's BTF from sysfs while loading); then add fd() to the epoll loop
// and call readAll() whenever it is readable; close() at stop.
//
// Latency: the kernel side wakes us only when the ring fills past a
// quarter; otherwise fd() becomes readable on a drain timer, 10 ms after a
// drain that found records, backing off to 250 ms while there are none.
// So a fact reaches the daemon at most 250 ms after it happened (10 ms
// under load). Nothing that decides a start waits for these facts: a
// missing parent is read from /proc, and a start frozen for its command
// line polls /proc on its own timer.
//
// Must not: block (readAll consumes what is there and returns), or read
// /proc (Daemon does that, for the rare record that needs it).
//
// Loss: when the ring is full the kernel side drops the record and counts
// it; dropped() is that count (read from the object's mapped .bss, no
// syscall). The owner compares it after each readAll and resynchronises
// from /proc when it grew, as for the proc connector's ENOBUFS.
//
// Built without BPF (PG_WITH_BPF=OFF), open() always fails with a reason.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "ProcFactDecode.h"

class BpfProcFacts
{
public:
    BpfProcFacts();
    ~BpfProcFacts();
    BpfProcFacts(const BpfProcFacts &) = delete;
    BpfProcFacts &operator=(const BpfProcFacts &) = delete;

    // Loads and attaches the programs with a ring of ringBytes (a power of
    // two, at least one page). False (with *error) when this build has no
    // BPF, or the kernel refuses (no BTF, no permission, ...); nothing is
    // left behind then.
    bool open(std::string *error, size_t ringBytes);
    void close();
    bool isOpen() const;
    // Readable when the drain timer fired or the ring filled (an epoll fd
    // holding both).
    int fd() const;
    // Decodes and hands over every record in the ring, in ring order.
    // Returns the number of records that could not be decoded. fromTimer:
    // the call answers fd() and re-arms the drain timer; false for an
    // extra drain in between (no syscall at all).
    uint64_t readAll(const std::function<void(const ProcFact &)> &onFact, bool fromTimer = true);
    // Records the kernel side dropped because the ring was full, since open.
    uint64_t dropped() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};
