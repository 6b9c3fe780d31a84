// FakeProcessControl.h - an in-memory pg::ProcessControl for panel tests:
// records which PIDs were asked to end and refuses the ones in refused, with
// the sentence the Linux implementation gives for EPERM.
#pragma once

#include <cerrno>
#include <set>
#include <vector>

#include "ProcessControl.h"

class FakeProcessControl : public pg::ProcessControl
{
public:
    std::string terminate(uint32_t pid) override
    {
        if (refused.count(pid) != 0)
            return pg::describeTerminateError(EPERM, pid);
        terminated.push_back(pid);
        return {};
    }

    std::set<uint32_t> refused;
    std::vector<uint32_t> terminated;
};
