/*
 * cpp_only.hpp: included last by every core header. Core code is pure C++ and
 * must not depend on anything PostgreSQL's headers define (port.h renames
 * snprintf/strerror, c.h defines Max, Min, gettext and friends, and elog.h
 * tempts code into ereport, which longjmps). Glue therefore includes core
 * headers *before* bridge/postgres.hpp; if a core header is ever parsed after
 * postgres.h, this assertion names the mistake. No include guard on purpose:
 * the check must run at the end of every core header, not only the first.
 */

#ifdef POSTGRES_H
static_assert(false, "include core headers before bridge/postgres.hpp (core must not see PostgreSQL's macros)");
#endif
