// BpfProcFactsUnavailable.cpp - BpfProcFacts in a build without BPF
// (PG_WITH_BPF=OFF): never opens, so the daemon uses the proc connector.
#include "BpfProcFacts.h"

struct BpfProcFacts::Impl {
};

BpfProcFacts::BpfProcFacts() = default;
BpfProcFacts::~BpfProcFacts() = default;

bool BpfProcFacts::open(std::string *error, size_t)
{
    *error = "this procguardd was built without BPF process facts";
    return false;
}

void BpfProcFacts::close() {}
bool BpfProcFacts::isOpen() const
{
    return false;
}
int BpfProcFacts::fd() const
{
    return -1;
}

uint64_t BpfProcFacts::readAll(const std::function<void(const ProcFact &)> &, bool)
{
    return 0;
}

uint64_t BpfProcFacts::dropped() const
{
    return 0;
}
