/*
 * pg_core.h - portable decision core of ProcGuard (C99).
 *
 * Module description:
 *   What every kernel component shares: message validation (pg_validate.h),
 *   the compiled rule cache (pg_rules.h), the time conditions of rules
 *   (pg_schedule.h) and daily budgets (pg_budget.h), the table of held
 *   starts with deadlines (pg_pending.h), the per-client event ring with
 *   64-bit sequence numbers (pg_ring.h) and SHA-256 (pg_sha256.h).
 *
 * What it must not do:
 *   No OS calls, no allocation, no locking, no clock: memory is handed in
 *   at initialisation and "now" is a parameter. The same files compile
 *   into procguard.sys, procguardd, the host unit tests and the fuzzers.
 *   Callers serialise access to each object themselves.
 */
#ifndef PG_CORE_H
#define PG_CORE_H

#include "pg_budget.h"
#include "pg_pending.h"
#include "pg_ring.h"
#include "pg_rules.h"
#include "pg_schedule.h"
#include "pg_sha256.h"
#include "pg_validate.h"

#endif /* PG_CORE_H */
