// Messages.h - C++ types <-> wire bytes (driver/protocol/pg_protocol.h).
//
// Client side (what KernelLink uses): encode HELLO, VERDICTS, SET_POLICY,
// GET_POLICY and GET_STATUS; decode HELLO_REPLY, RESULT, EVENTS, POLICY and
// STATUS. Every decoder first runs pg_validate_server_message() over the
// whole buffer and reads nothing when it fails, so a decoder never reads
// past the bytes it was given.
//
// Server side (what fakes in tests, fuzzers and tools use): the mirror
// image, encoding server messages and decoding client messages, the latter
// after pg_validate_client_message(). procguardd and procguard.sys do not
// use these; they are C and build their messages themselves.
//
// Encoders return an empty vector and set *error (one sentence) when the
// value cannot be expressed on the wire (too many rules, a string too long).
// Decoders return PG_OK or the PG_E_* code that explains the rejection.
// Everything here is pure: no I/O, no threads, no global state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "Types.h"

namespace pg
{
namespace msg
{

struct Header {
    uint32_t size = 0;
    uint16_t version = 0;
    uint16_t type = 0;
    uint64_t requestId = 0;
};

struct Hello {
    uint16_t minVersion = PG_PROTOCOL_MIN_VERSION;
    uint16_t maxVersion = PG_PROTOCOL_VERSION;
    uint32_t flags = 0;         // PG_HELLO_*
    uint32_t subscriptions = 0; // PG_SUB_*
    std::string name;           // cut to PG_NAME_BYTES - 1 bytes
};

struct HelloReply {
    uint32_t status = PG_OK;
    uint16_t version = 0;
    Role role = Role::None;
    uint32_t platform = 0;
    uint32_t serverPid = 0;
    uint64_t nextSeq = 0;
    std::string name;
};

struct Result {
    uint32_t status = PG_OK;
    uint32_t detail = 0;
    std::string text;
};

struct VerdictEntry {
    uint64_t holdId = 0;
    Verdict verdict = Verdict::None;
};

// Reads the fixed header of any message (no validation beyond its size).
// Returns false when fewer than sizeof(pg_msg_header) bytes are given.
bool peekHeader(const std::vector<uint8_t> &bytes, Header *out);

// Gives every rule whose id is 0 the smallest id not used by another rule,
// so a policy of rules without ids gets 1..n. Rules with ids keep them.
void assignRuleIds(std::vector<Rule> &rules);

// ---- client side -------------------------------------------------------

std::vector<uint8_t> encodeHello(uint64_t requestId, const Hello &hello);
// 1..PG_MAX_VERDICTS entries, each ALLOW or BLOCK with a nonzero hold id.
std::vector<uint8_t> encodeVerdicts(uint64_t requestId, const std::vector<VerdictEntry> &verdicts,
                                    std::string *error);
// Rule records padded to 8; rules with id 0 are numbered (assignRuleIds).
std::vector<uint8_t> encodeSetPolicy(uint64_t requestId, const Policy &policy, std::string *error);
std::vector<uint8_t> encodeGetPolicy(uint64_t requestId);
std::vector<uint8_t> encodeGetStatus(uint64_t requestId);
std::vector<uint8_t> encodeGetManaged(uint64_t requestId);

// Each validates the whole message (pg_validate_server_message) and checks
// its type (PG_E_TYPE if it is another message). On error *detail (if not
// null) receives the validator's detail and *out is untouched.
int decodeHelloReply(const std::vector<uint8_t> &bytes, HelloReply *out,
                     uint32_t *detail = nullptr);
int decodeResult(const std::vector<uint8_t> &bytes, Result *out, uint32_t *detail = nullptr);
int decodeEvents(const std::vector<uint8_t> &bytes, std::vector<Event> *out,
                 uint32_t *detail = nullptr);
int decodePolicy(const std::vector<uint8_t> &bytes, Policy *out, uint32_t *detail = nullptr);
int decodeStatus(const std::vector<uint8_t> &bytes, Status *out, uint32_t *detail = nullptr);
// Sets out->supported.
int decodeManaged(const std::vector<uint8_t> &bytes, ManagedStatus *out,
                  uint32_t *detail = nullptr);

// ---- server side (fakes, tests, tools) ---------------------------------

std::vector<uint8_t> encodeHelloReply(uint64_t requestId, const HelloReply &reply);
std::vector<uint8_t> encodeResult(uint64_t requestId, const Result &result);
// Strings longer than their protocol limit are cut and flagged TRUNCATED.
std::vector<uint8_t> encodeEvents(const std::vector<Event> &events);
std::vector<uint8_t> encodePolicy(uint64_t requestId, const Policy &policy, std::string *error);
std::vector<uint8_t> encodeStatus(uint64_t requestId, const Status &status);
// Names and errors longer than their limits are cut.
std::vector<uint8_t> encodeManaged(uint64_t requestId, const ManagedStatus &managed);

// Validate with pg_validate_client_message and check the type.
int decodeHello(const std::vector<uint8_t> &bytes, Hello *out, uint32_t *detail = nullptr);
int decodeVerdicts(const std::vector<uint8_t> &bytes, std::vector<VerdictEntry> *out,
                   uint32_t *detail = nullptr);
int decodeSetPolicy(const std::vector<uint8_t> &bytes, Policy *out, uint32_t *detail = nullptr);

} // namespace msg
} // namespace pg
