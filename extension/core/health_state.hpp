/*
 * health_state.hpp: what the health endpoint says about this node beyond the
 * route verdicts (http_request.hpp): the Prometheus text for /metrics, the
 * JSON for /status, and the readscale.http_listen setting's parser.
 * node_metrics_text is /metrics' fallback, this node's own gauges from shared
 * memory, used when readscale.metrics() cannot run in the worker's database
 * (see glue/health_response.cpp).
 */
#pragma once

#include "common/error.hpp"
#include "core/http_request.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace readscale::http {

struct ListenAddress {
	std::string host; /* dotted IPv4, or IPv6 without brackets */
	std::uint16_t port = 0;
	bool ipv6 = false;
};

/* "8008" (127.0.0.1), "a.b.c.d:8008" or "[::1]:8008"; "" is off and not accepted here. Error 22023 otherwise. */
Result<ListenAddress> parse_listen_address(std::string_view text);

std::string node_metrics_text(const NodeState &node);

/*
 * Which held connection to close for a new one when the table is full: the
 * one accepted first (every held connection is still sending its request, as
 * answered ones are closed). A slow client therefore keeps its slot only
 * until kMaxConnections newer ones arrive, and a normal client, which sends its
 * request at once, is answered before that. accepted_at[i] < 0 marks a free
 * slot; returns count when every slot is free.
 */
std::size_t connection_to_evict(const std::int64_t *accepted_at, std::size_t count);
std::string node_status_json(const NodeState &node);

} // namespace readscale::http

#include "common/cpp_only.hpp"
