// LinuxFacts.cpp - makePlatformFactSource (FactResolver.h) on Linux:
// procguardd finds every fact itself and never holds a start for user-mode
// facts, so the source offers none.
#include "FactResolver.h"

namespace pg
{

namespace
{

class NoFactSource : public FactSource
{
public:
    uint32_t facts() const override { return 0; }
    SignerInfo signer(const std::string &) override { return {}; }
};

} // namespace

std::unique_ptr<FactSource> makePlatformFactSource()
{
    return std::make_unique<NoFactSource>();
}

} // namespace pg
