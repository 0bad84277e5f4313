/*
 * health_state.cpp: see health_state.hpp.
 */
#include "core/health_state.hpp"

#include "common/sqlstate.hpp"

#include <cctype>
#include <cstdio>

namespace readscale::http {

namespace {

/* True for a dotted quad of 0..255 with no leading zeros trickery beyond "0". */
bool
valid_ipv4(std::string_view text) {
	int parts = 0;
	while (true) {
		std::size_t dot = text.find('.');
		std::string_view part = text.substr(0, dot);
		if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0'))
			return false;
		int value = 0;
		for (char c : part) {
			if (c < '0' || c > '9')
				return false;
			value = value * 10 + (c - '0');
		}
		if (value > 255)
			return false;
		parts++;
		if (dot == std::string_view::npos)
			break;
		text.remove_prefix(dot + 1);
	}
	return parts == 4;
}

/* Groups of 1-4 hex digits separated by single colons; -1 when malformed, else the group count (0 for ""). */
int
ipv6_groups(std::string_view text) {
	if (text.empty())
		return 0;
	int groups = 0;
	while (true) {
		std::size_t colon = text.find(':');
		std::string_view group = text.substr(0, colon);
		if (group.empty() || group.size() > 4)
			return -1;
		for (char c : group)
			if (!std::isxdigit(static_cast<unsigned char>(c)))
				return -1;
		groups++;
		if (colon == std::string_view::npos)
			return groups;
		text.remove_prefix(colon + 1);
	}
}

/* Textual IPv6 (RFC 4291 2.2): 8 groups, or fewer around one "::"; no IPv4 tail, no zone. */
bool
valid_ipv6(std::string_view text) {
	std::size_t gap = text.find("::");
	if (gap == std::string_view::npos)
		return ipv6_groups(text) == 8;
	int left = ipv6_groups(text.substr(0, gap));
	int right = ipv6_groups(text.substr(gap + 2));
	return left >= 0 && right >= 0 && left + right <= 7;
}

void
gauge(std::string *out, const char *name, const char *help, const std::string &value) {
	*out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n";
	if (!value.empty())
		*out += std::string(name) + " " + value + "\n";
}

std::string
seconds_text(std::int64_t ms) {
	char buf[64];
	std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ms) / 1000.0);
	return buf;
}

} // namespace

Result<ListenAddress>
parse_listen_address(std::string_view text) {
	const char *hint = "Write a port (listens on 127.0.0.1), an IPv4 address and port, e.g. \"127.0.0.1:8008\", or "
	                   "a bracketed IPv6 address and port, e.g. \"[::1]:8008\".";
	ListenAddress address;
	address.host = "127.0.0.1";
	std::string_view port = text;
	std::size_t colon = text.rfind(':');
	std::size_t close = text.rfind(']');
	if (!text.empty() && text[0] == '[') {
		if (close == std::string_view::npos || close + 1 != colon || !valid_ipv6(text.substr(1, close - 1)))
			return Error(sqlstate::kInvalidParameterValue, "invalid listen address \"" + std::string(text) + "\"", {},
			             hint);
		address.host = std::string(text.substr(1, close - 1));
		address.ipv6 = true;
		port = text.substr(colon + 1);
	} else if (colon != std::string_view::npos) {
		if (!valid_ipv4(text.substr(0, colon)))
			return Error(sqlstate::kInvalidParameterValue, "invalid listen address \"" + std::string(text) + "\"", {},
			             hint);
		address.host = std::string(text.substr(0, colon));
		port = text.substr(colon + 1);
	}
	unsigned value = 0;
	bool ok = !port.empty() && port.size() <= 5;
	for (char c : port) {
		ok = ok && c >= '0' && c <= '9';
		value = value * 10 + static_cast<unsigned>(c - '0');
	}
	if (!ok || value == 0 || value > 65535)
		return Error(sqlstate::kInvalidParameterValue, "invalid listen port in \"" + std::string(text) + "\"", {},
		             hint);
	address.port = static_cast<std::uint16_t>(value);
	return address;
}

std::string
node_metrics_text(const NodeState &node) {
	std::string out;
	gauge(&out, "readscale_in_recovery", "Whether this server is a standby (1) or a primary (0).",
	      node.primary ? "0" : "1");
	if (node.primary)
		return out;
	gauge(&out, "readscale_wal_receiver_up", "Whether the WAL receiver is streaming from the primary.",
	      node.receiver_streaming ? "1" : "0");
	gauge(&out, "readscale_wal_receiver_connecting",
	      "Whether the WAL receiver is connecting to the primary (19; transitional, not yet streaming).",
	      node.receiver_connecting ? "1" : "0");
	gauge(&out, "readscale_local_replay_paused", "Whether WAL replay is paused.", node.replay_paused ? "1" : "0");
	gauge(&out, "readscale_local_unreplayed_bytes", "WAL received but not yet replayed.",
	      std::to_string(node.unreplayed_bytes));
	gauge(&out, "readscale_local_staleness_seconds",
	      "Age of the data this standby serves (0 when replay has caught up).",
	      node.staleness_ms ? seconds_text(*node.staleness_ms) : std::string());
	return out;
}

std::size_t
connection_to_evict(const std::int64_t *accepted_at, std::size_t count) {
	std::size_t victim = count;
	for (std::size_t i = 0; i < count; i++)
		if (accepted_at[i] >= 0 && (victim == count || accepted_at[i] < accepted_at[victim]))
			victim = i;
	return victim;
}

std::string
node_status_json(const NodeState &node) {
	std::string out = std::string("{\"role\":\"") + (node.primary ? "primary" : "standby") + "\"";
	if (!node.primary) {
		out += std::string(",\"wal_receiver_streaming\":") + (node.receiver_streaming ? "true" : "false");
		out += std::string(",\"replay_paused\":") + (node.replay_paused ? "true" : "false");
		out += ",\"unreplayed_bytes\":" + std::to_string(node.unreplayed_bytes);
		out += ",\"staleness_ms\":" + (node.staleness_ms ? std::to_string(*node.staleness_ms) : std::string("null"));
		/* 19's transitional receiver state; after the fields clients already read */
		out += std::string(",\"wal_receiver_connecting\":") + (node.receiver_connecting ? "true" : "false");
		if (!node.replica_role.empty()) /* one of the setting's fixed names: nothing to escape */
			out += ",\"replica_role\":\"" + std::string(node.replica_role) + "\"";
	}
	return out + "}\n";
}

} // namespace readscale::http
