/*
 * http_request.hpp: the health endpoint's HTTP/1.x request parser and its
 * Patroni-compatible routing decision (pure C++, no sockets).
 *
 * The parser is written for hostile input: it looks at no more than
 * limits.max_request_bytes, accepts only GET and HEAD, rejects request bodies
 * (Content-Length other than 0, any Transfer-Encoding), bounds the target and
 * header count, and never allocates more than the bytes it was given. It is
 * incremental in the simplest way: the caller re-parses the buffer whenever
 * more bytes arrive, and gets kIncomplete until the blank line ending the head.
 *
 * Routes (Patroni's REST API semantics, status 200 = "send traffic here",
 * 503 = "do not"):
 *   /health               200 when the server runs (the worker answers at all)
 *   /primary /master /leader /read-write   200 on a primary
 *   /replica /standby     200 on a standby that streams, is not paused, and is
 *                         within ?max_lag=<duration> (time staleness) and
 *                         ?max_bytes=<size> or Patroni's ?lag=<size> (WAL not replayed)
 *   /read-only            200 on a primary, or on a standby as /replica would
 *   /metrics /status      left to the caller (needs the exposition text)
 * Durations: "250ms", "5s", "2min", "1h", a bare number is milliseconds.
 * Sizes: "16MB", "512kB", "1GB", "100B", a bare number is bytes (PostgreSQL units, 1024-based).
 */
#pragma once

#include "common/error.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace readscale::http {

struct Limits {
	std::size_t max_request_bytes = 4096;
	std::size_t max_target_bytes = 1024;
	std::size_t max_headers = 32;
	std::size_t max_query_params = 8;
};

struct Request {
	bool head = false; /* HEAD: answer without a body */
	std::string path;  /* percent-decoded */
	std::vector<std::pair<std::string, std::string>> query;
};

enum class ParseStatus { kIncomplete, kComplete, kError };

struct ParseResult {
	ParseStatus status = ParseStatus::kIncomplete;
	Request request;          /* when kComplete */
	int error_status = 0;     /* when kError: 400, 405, 413, 414, 431, 505 */
	std::string error_reason; /* when kError: short text for the response body */
};

ParseResult parse_request(std::string_view buffer, const Limits &limits);

/* "5s" and friends; Error 22023 on anything else, negative or overflowing. */
Result<std::int64_t> parse_duration_ms(std::string_view text);
/* "16MB" and friends; Error 22023 on anything else or overflow. */
Result<std::uint64_t> parse_size_bytes(std::string_view text);

/* What the worker knows from shared memory, refreshed without a transaction. */
struct NodeState {
	bool primary = false;
	bool receiver_streaming = false;
	bool receiver_connecting = false; /* 19: (re)connecting to the primary, transitional */
	/* Bounds a connecting standby must meet when a request names none (readscale.lag_critical, _bytes; -1 none) */
	std::int64_t connecting_max_ms = -1;
	std::int64_t connecting_max_bytes = -1;
	bool replay_paused = false;
	std::optional<std::int64_t> staleness_ms; /* unknown when absent */
	std::uint64_t unreplayed_bytes = 0;
	std::string_view replay_blocker; /* what blocks replay (readscale.replay_blockers' reason), "" unknown */
	std::string_view replica_role;   /* readscale.replica_role: "unset", "oltp" or "olap" */
};

struct Response {
	int status = 404;
	std::string body;           /* one line, ends in "\n" */
	bool needs_metrics = false; /* /metrics, /status: the caller fills the body */
	bool stale = false;         /* refused because replay is behind: the caller may name what blocks it */
};

Response route(const Request &request, const NodeState &node);

/* "HTTP/1.1 200 OK\r\n...": a complete response, Connection: close. */
std::string format_response(const Response &response, bool head, std::string_view content_type);

} // namespace readscale::http

#include "common/cpp_only.hpp"
