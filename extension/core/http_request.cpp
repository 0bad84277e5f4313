/*
 * http_request.cpp: see http_request.hpp.
 */
#include "core/http_request.hpp"

#include "core/hex.hpp"

#include "core/lag_verdict.hpp"
#include "common/sqlstate.hpp"

#include <cctype>
#include <limits>

namespace readscale::http {

namespace {

ParseResult
fail(int status, std::string reason) {
	ParseResult r;
	r.status = ParseStatus::kError;
	r.error_status = status;
	r.error_reason = std::move(reason);
	return r;
}

bool
is_tchar(char c) {
	return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
	       std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

/* Percent-decodes text; false on a malformed escape or a decoded NUL. */
bool
percent_decode(std::string_view text, bool plus_is_space, std::string *out) {
	out->clear();
	for (std::size_t i = 0; i < text.size(); i++) {
		char c = text[i];
		if (c == '%') {
			if (i + 2 >= text.size())
				return false;
			int hi = hex_digit_value(text[i + 1]), lo = hex_digit_value(text[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return false;
			out->push_back(static_cast<char>(hi * 16 + lo));
			i += 2;
		} else {
			out->push_back(plus_is_space && c == '+' ? ' ' : c);
		}
	}
	return true;
}

bool
equals_ignore_case(std::string_view a, std::string_view b) {
	if (a.size() != b.size())
		return false;
	for (std::size_t i = 0; i < a.size(); i++)
		if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
			return false;
	return true;
}

/* Leading decimal digits as an unsigned value; false on none or overflow. */
bool
leading_number(std::string_view text, std::uint64_t *value, std::size_t *digits) {
	*value = 0;
	*digits = 0;
	while (*digits < text.size() && text[*digits] >= '0' && text[*digits] <= '9') {
		auto d = static_cast<std::uint64_t>(text[*digits] - '0');
		if (*value > (std::numeric_limits<std::uint64_t>::max() - d) / 10)
			return false;
		*value = *value * 10 + d;
		(*digits)++;
	}
	return *digits > 0;
}

Error
bad_value(std::string_view what, std::string_view text, const char *hint) {
	return Error(sqlstate::kInvalidParameterValue, "invalid " + std::string(what) + " \"" + std::string(text) + "\"",
	             {}, hint);
}

/* Parses the request line and target into *request; 0 or an HTTP error status with *reason. */
int
parse_request_line(std::string_view line, const Limits &limits, Request *request, std::string *reason) {
	std::size_t sp1 = line.find(' ');
	std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
	if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
		return *reason = "malformed request line", 400;
	std::string_view method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1),
	                 version = line.substr(sp2 + 1);
	if (method.empty())
		return *reason = "malformed request line", 400;
	for (char c : method)
		if (c < 'A' || c > 'Z')
			return *reason = "malformed method", 400;
	if (version != "HTTP/1.1" && version != "HTTP/1.0")
		return *reason = "unsupported HTTP version", version.substr(0, 5) == "HTTP/" ? 505 : 400;
	if (method != "GET" && method != "HEAD")
		return *reason = "only GET and HEAD are supported", 405;
	request->head = method == "HEAD";
	if (target.size() > limits.max_target_bytes)
		return *reason = "request target too long", 414;
	if (target.empty() || target[0] != '/')
		return *reason = "request target must be a path", 400;
	for (char c : target)
		if (c < 0x21 || c > 0x7e)
			return *reason = "invalid character in request target", 400;
	std::size_t q = target.find('?');
	if (!percent_decode(target.substr(0, q), false, &request->path))
		return *reason = "malformed percent-encoding in path", 400;
	if (q == std::string_view::npos)
		return 0;
	std::string_view query = target.substr(q + 1);
	while (!query.empty()) {
		std::size_t amp = query.find('&');
		std::string_view item = query.substr(0, amp);
		query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
		if (item.empty())
			continue;
		if (request->query.size() == limits.max_query_params)
			return *reason = "too many query parameters", 400;
		std::size_t eq = item.find('=');
		std::string key, value;
		if (!percent_decode(item.substr(0, eq), true, &key) ||
		    (eq != std::string_view::npos && !percent_decode(item.substr(eq + 1), true, &value)))
			return *reason = "malformed percent-encoding in query", 400;
		request->query.emplace_back(std::move(key), std::move(value));
	}
	return 0;
}

/* One header line: 0 or an HTTP error status with *reason. */
int
check_header(std::string_view line, std::string *reason) {
	std::size_t colon = line.find(':');
	if (colon == std::string_view::npos || colon == 0)
		return *reason = "malformed header", 400;
	std::string_view name = line.substr(0, colon), value = line.substr(colon + 1);
	for (char c : name)
		if (!is_tchar(c))
			return *reason = "malformed header name", 400;
	for (char c : value)
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return *reason = "invalid character in header value", 400;
	while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
		value.remove_prefix(1);
	while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
		value.remove_suffix(1);
	if (equals_ignore_case(name, "transfer-encoding"))
		return *reason = "request bodies are not accepted", 400;
	if (equals_ignore_case(name, "content-length")) {
		std::uint64_t length = 0;
		std::size_t digits = 0;
		if (!leading_number(value, &length, &digits) || digits != value.size())
			return *reason = "malformed Content-Length", 400;
		if (length != 0)
			return *reason = "request bodies are not accepted", 413;
	}
	return 0;
}

} // namespace

ParseResult
parse_request(std::string_view buffer, const Limits &limits) {
	std::string_view window = buffer.substr(0, limits.max_request_bytes);
	std::size_t end = window.find("\r\n\r\n");
	std::size_t lf_end = window.find("\n\n");
	if (lf_end != std::string_view::npos && (end == std::string_view::npos || lf_end < end))
		end = lf_end;
	if (end == std::string_view::npos)
		return buffer.size() >= limits.max_request_bytes ? fail(431, "request header too large") : ParseResult {};
	std::string_view head = window.substr(0, end);
	ParseResult result;
	std::size_t headers = 0;
	bool first = true;
	while (true) {
		std::size_t nl = head.find('\n');
		std::string_view line = head.substr(0, nl);
		if (!line.empty() && line.back() == '\r')
			line.remove_suffix(1);
		std::string reason;
		int status = 0;
		if (line.find('\r') != std::string_view::npos)
			status = 400, reason = "bare carriage return";
		else if (first)
			status = parse_request_line(line, limits, &result.request, &reason);
		else if (++headers > limits.max_headers)
			status = 431, reason = "too many headers";
		else
			status = check_header(line, &reason);
		if (status != 0)
			return fail(status, reason);
		first = false;
		if (nl == std::string_view::npos)
			break;
		head.remove_prefix(nl + 1);
	}
	result.status = ParseStatus::kComplete;
	return result;
}

Result<std::int64_t>
parse_duration_ms(std::string_view text) {
	const char *hint = "Write a number followed by ms, s, min, h or d, e.g. \"5s\".";
	std::uint64_t value = 0;
	std::size_t digits = 0;
	if (!leading_number(text, &value, &digits))
		return bad_value("duration", text, hint);
	std::string_view unit = text.substr(digits);
	std::uint64_t factor = 0;
	const std::pair<const char *, std::uint64_t> units[] = {{"", 1},        {"ms", 1},      {"s", 1000},
	                                                        {"min", 60000}, {"h", 3600000}, {"d", 86400000}};
	for (const auto &[name, ms] : units)
		if (unit == name)
			factor = ms;
	if (factor == 0)
		return bad_value("duration", text, hint);
	if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) / factor)
		return bad_value("duration", text, hint);
	return static_cast<std::int64_t>(value * factor);
}

Result<std::uint64_t>
parse_size_bytes(std::string_view text) {
	const char *hint = "Write a number followed by B, kB, MB, GB or TB, e.g. \"16MB\".";
	std::uint64_t value = 0;
	std::size_t digits = 0;
	if (!leading_number(text, &value, &digits))
		return bad_value("size", text, hint);
	std::string_view unit = text.substr(digits);
	std::uint64_t factor = 0;
	const std::pair<const char *, std::uint64_t> units[] = {
	    {"", 1}, {"B", 1}, {"kB", 1ull << 10}, {"MB", 1ull << 20}, {"GB", 1ull << 30}, {"TB", 1ull << 40}};
	for (const auto &[name, bytes] : units)
		if (equals_ignore_case(unit, name))
			factor = bytes;
	if (factor == 0 || value > std::numeric_limits<std::uint64_t>::max() / factor)
		return bad_value("size", text, hint);
	return value * factor;
}

namespace {

Response
respond(int status, std::string body) {
	Response r;
	r.status = status;
	r.body = std::move(body) + "\n";
	return r;
}

const std::string *
query_value(const Request &request, std::string_view key) {
	const std::string *found = nullptr;
	for (const auto &[k, v] : request.query)
		if (k == key)
			found = &v; /* the last occurrence wins */
	return found;
}

/* Whether a standby may serve reads under the request's limits (Patroni's /replica). */
Response
replica_check(const Request &request, const NodeState &node) {
	std::int64_t max_ms = -1;
	std::int64_t max_bytes = -1;
	if (const std::string *v = query_value(request, "max_lag")) {
		auto parsed = parse_duration_ms(*v);
		if (!parsed.ok())
			return respond(400, parsed.error().message());
		max_ms = parsed.value();
	}
	const std::string *size = query_value(request, "max_bytes");
	if (size == nullptr)
		size = query_value(request, "lag");
	if (size != nullptr) {
		auto parsed = parse_size_bytes(*size);
		if (!parsed.ok())
			return respond(400, parsed.error().message());
		max_bytes = parsed.value() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
		                ? std::numeric_limits<std::int64_t>::max()
		                : static_cast<std::int64_t>(parsed.value());
	}
	if (node.primary)
		return respond(503, "not a standby");
	/*
	 * connecting (19) is transitional: it may serve reads while its staleness,
	 * counted from the last contact with the primary, is within the request's
	 * limits, or within the critical SLA when the request names none.
	 */
	if (!node.receiver_streaming && !node.receiver_connecting)
		return respond(503, "wal receiver is not streaming");
	if (node.receiver_connecting && max_ms < 0 && max_bytes < 0) {
		max_ms = node.connecting_max_ms;
		max_bytes = node.connecting_max_bytes;
	}
	if (node.replay_paused)
		return respond(503, "replay is paused");
	if (const std::string *role = query_value(request, "role"); role != nullptr && *role != node.replica_role)
		return respond(503, "replica role is " + std::string(node.replica_role) + ", not " + *role);
	auto stale = check_freshness(node.staleness_ms, node.unreplayed_bytes, max_ms, max_bytes);
	if (stale) {
		Response r =
		    respond(503, stale->message() +
		                     (node.replay_blocker.empty() ? std::string() : "; " + std::string(node.replay_blocker)));
		r.stale = true;
		return r;
	}
	return respond(200, "replica");
}

const char *
reason_phrase(int status) {
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 413:
		return "Content Too Large";
	case 414:
		return "URI Too Long";
	case 431:
		return "Request Header Fields Too Large";
	case 503:
		return "Service Unavailable";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "Error";
	}
}

} // namespace

Response
route(const Request &request, const NodeState &node) {
	std::string_view path = request.path;
	while (path.size() > 1 && path.back() == '/')
		path.remove_suffix(1);
	if (path == "/health")
		return respond(200, node.primary ? "primary" : "standby");
	if (path == "/primary" || path == "/master" || path == "/leader" || path == "/read-write")
		return node.primary ? respond(200, "primary") : respond(503, "not primary");
	if (path == "/replica" || path == "/standby")
		return replica_check(request, node);
	if (path == "/read-only")
		return node.primary ? respond(200, "primary") : replica_check(request, node);
	if (path == "/metrics" || path == "/status") {
		Response r;
		r.status = 200;
		r.needs_metrics = true;
		return r;
	}
	return respond(404, "not found");
}

std::string
format_response(const Response &response, bool head, std::string_view content_type) {
	std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " + reason_phrase(response.status) + "\r\n";
	out += "Content-Type: " + std::string(content_type) + "\r\n";
	out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
	out += "Cache-Control: no-store\r\nConnection: close\r\n\r\n";
	if (!head)
		out += response.body;
	return out;
}

} // namespace readscale::http
