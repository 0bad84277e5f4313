#include "core/http_request.hpp"

#include <gtest/gtest.h>

using namespace readscale::http;

namespace {

ParseResult
parse(std::string_view text) {
	return parse_request(text, Limits {});
}

int
error_of(std::string_view text) {
	ParseResult r = parse(text);
	EXPECT_EQ(r.status, ParseStatus::kError) << text;
	return r.error_status;
}

Request
request_of(std::string_view text) {
	ParseResult r = parse(text);
	EXPECT_EQ(r.status, ParseStatus::kComplete) << text << " " << r.error_reason;
	return r.request;
}

NodeState
streaming_standby() {
	NodeState n;
	n.receiver_streaming = true;
	n.staleness_ms = 0;
	return n;
}

} // namespace

TEST(ParseRequest, SimpleGetAndHead) {
	Request r = request_of("GET /replica?max_lag=5s&lag=16MB HTTP/1.1\r\nHost: x\r\n\r\n");
	EXPECT_FALSE(r.head);
	EXPECT_EQ(r.path, "/replica");
	ASSERT_EQ(r.query.size(), 2u);
	EXPECT_EQ(r.query[0], std::make_pair(std::string("max_lag"), std::string("5s")));
	EXPECT_EQ(r.query[1], std::make_pair(std::string("lag"), std::string("16MB")));
	EXPECT_TRUE(request_of("HEAD /health HTTP/1.0\r\n\r\n").head);
	EXPECT_EQ(request_of("GET /health HTTP/1.1\n\n").path, "/health") << "bare LF line ends";
	EXPECT_EQ(request_of("GET /a%2Fb?k=a+b%21 HTTP/1.1\r\n\r\n").query[0].second, "a b!");
	EXPECT_EQ(request_of("GET /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n").path, "/x");
}

TEST(ParseRequest, IncompleteUntilBlankLine) {
	EXPECT_EQ(parse("").status, ParseStatus::kIncomplete);
	EXPECT_EQ(parse("GET /health HTTP/1.1\r\n").status, ParseStatus::kIncomplete);
	EXPECT_EQ(parse("GET /health HTTP/1.1\r\nHost: x\r\n\r").status, ParseStatus::kIncomplete);
}

TEST(ParseRequest, RejectsHostileOrUnsupportedInput) {
	EXPECT_EQ(error_of("POST /primary HTTP/1.1\r\n\r\n"), 405);
	EXPECT_EQ(error_of("DELETE / HTTP/1.1\r\n\r\n"), 405);
	EXPECT_EQ(error_of("get / HTTP/1.1\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET / HTTP/2.0\r\n\r\n"), 505);
	EXPECT_EQ(error_of("GET / FTP/1.0\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET /  HTTP/1.1\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET http://x/ HTTP/1.1\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET /%zz HTTP/1.1\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET /%00 HTTP/1.1\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET /% HTTP/1.1\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET /a%4 HTTP/1.1\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET /\x7f HTTP/1.1\r\n\r\n"), 400);
	EXPECT_EQ(error_of("\r\nGET / HTTP/1.1\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET / HTTP/1.1\r\nno colon\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET / HTTP/1.1\r\n folded: x\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"), 413);
	EXPECT_EQ(error_of("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
}

TEST(ParseRequest, EnforcesLimits) {
	Limits limits;
	std::string huge = "GET /" + std::string(limits.max_target_bytes, 'a') + " HTTP/1.1\r\n\r\n";
	EXPECT_EQ(error_of(huge), 414);
	std::string many = "GET / HTTP/1.1\r\n";
	for (std::size_t i = 0; i <= limits.max_headers; i++)
		many += "X-" + std::to_string(i) + ": v\r\n";
	EXPECT_EQ(error_of(many + "\r\n"), 431);
	std::string endless = "GET / HTTP/1.1\r\nX: " + std::string(limits.max_request_bytes, 'v');
	EXPECT_EQ(error_of(endless), 431) << "no blank line within the cap";
	std::string params = "GET /replica?";
	for (std::size_t i = 0; i <= limits.max_query_params; i++)
		params += "a=1&";
	EXPECT_EQ(error_of(params + " HTTP/1.1\r\n\r\n"), 400);
}

TEST(ParseDuration, UnitsAndErrors) {
	EXPECT_EQ(parse_duration_ms("250").value(), 250);
	EXPECT_EQ(parse_duration_ms("250ms").value(), 250);
	EXPECT_EQ(parse_duration_ms("5s").value(), 5000);
	EXPECT_EQ(parse_duration_ms("2min").value(), 120000);
	EXPECT_EQ(parse_duration_ms("1h").value(), 3600000);
	EXPECT_EQ(parse_duration_ms("1d").value(), 86400000);
	for (const char *bad : {"", "s", "-1s", "5 s", "5sec", "1.5s", "99999999999999999999", "9999999999999999d"}) {
		auto r = parse_duration_ms(bad);
		ASSERT_FALSE(r.ok()) << bad;
		EXPECT_EQ(r.error().sqlstate(), "22023");
	}
}

TEST(ParseSize, UnitsAndErrors) {
	EXPECT_EQ(parse_size_bytes("100").value(), 100u);
	EXPECT_EQ(parse_size_bytes("100B").value(), 100u);
	EXPECT_EQ(parse_size_bytes("16kB").value(), 16u * 1024);
	EXPECT_EQ(parse_size_bytes("16MB").value(), 16u * 1024 * 1024);
	EXPECT_EQ(parse_size_bytes("16mb").value(), 16u * 1024 * 1024);
	EXPECT_EQ(parse_size_bytes("1GB").value(), 1u << 30);
	EXPECT_EQ(parse_size_bytes("1TB").value(), 1ull << 40);
	for (const char *bad : {"", "MB", "-1", "16 MB", "16PB", "99999999999TB"})
		EXPECT_FALSE(parse_size_bytes(bad).ok()) << bad;
}

TEST(Route, PrimaryAndHealth) {
	NodeState primary;
	primary.primary = true;
	EXPECT_EQ(route(request_of("GET /health HTTP/1.1\r\n\r\n"), primary).status, 200);
	EXPECT_EQ(route(request_of("GET /primary HTTP/1.1\r\n\r\n"), primary).status, 200);
	EXPECT_EQ(route(request_of("GET /master HTTP/1.1\r\n\r\n"), primary).status, 200);
	EXPECT_EQ(route(request_of("GET /leader/ HTTP/1.1\r\n\r\n"), primary).status, 200);
	EXPECT_EQ(route(request_of("GET /replica HTTP/1.1\r\n\r\n"), primary).status, 503);
	EXPECT_EQ(route(request_of("GET /read-only HTTP/1.1\r\n\r\n"), primary).status, 200);
	EXPECT_EQ(route(request_of("GET /primary HTTP/1.1\r\n\r\n"), streaming_standby()).status, 503);
	EXPECT_EQ(route(request_of("GET /nope HTTP/1.1\r\n\r\n"), primary).status, 404);
	EXPECT_TRUE(route(request_of("GET /metrics HTTP/1.1\r\n\r\n"), primary).needs_metrics);
}

TEST(Route, ReplicaWithinAndBeyondLimits) {
	NodeState s = streaming_standby();
	s.staleness_ms = 3000;
	s.unreplayed_bytes = 1024;
	EXPECT_EQ(route(request_of("GET /replica HTTP/1.1\r\n\r\n"), s).status, 200);
	EXPECT_EQ(route(request_of("GET /replica?max_lag=5s HTTP/1.1\r\n\r\n"), s).status, 200);
	Response r = route(request_of("GET /replica?max_lag=1s HTTP/1.1\r\n\r\n"), s);
	EXPECT_EQ(r.status, 503);
	EXPECT_EQ(r.body, "standby data is 3.0 s stale, more than the allowed 1.0 s\n");
	EXPECT_EQ(route(request_of("GET /replica?lag=1kB HTTP/1.1\r\n\r\n"), s).status, 200);
	EXPECT_EQ(route(request_of("GET /replica?lag=1000 HTTP/1.1\r\n\r\n"), s).status, 503) << "Patroni's lag";
	EXPECT_EQ(route(request_of("GET /replica?max_bytes=1000&lag=1MB HTTP/1.1\r\n\r\n"), s).status, 503)
	    << "max_bytes wins over lag";
	EXPECT_EQ(route(request_of("GET /read-only?max_lag=1s HTTP/1.1\r\n\r\n"), s).status, 503);
	EXPECT_EQ(route(request_of("GET /replica?max_lag=soon HTTP/1.1\r\n\r\n"), s).status, 400);
	EXPECT_EQ(route(request_of("GET /replica?lag=lots HTTP/1.1\r\n\r\n"), s).status, 400);
}

TEST(Route, ReplicaNotServingWhenNotStreamingPausedOrUnknown) {
	NodeState s = streaming_standby();
	s.receiver_streaming = false;
	EXPECT_EQ(route(request_of("GET /replica HTTP/1.1\r\n\r\n"), s).body, "wal receiver is not streaming\n");
	s.receiver_connecting = true;
	EXPECT_EQ(route(request_of("GET /replica HTTP/1.1\r\n\r\n"), s).status, 200) << "connecting is transitional";
	s.staleness_ms = 90'000;
	s.connecting_max_ms = 60'000;
	EXPECT_EQ(route(request_of("GET /replica HTTP/1.1\r\n\r\n"), s).status, 503)
	    << "connecting longer than the critical SLA: no reads";
	EXPECT_EQ(route(request_of("GET /replica?max_lag=2min HTTP/1.1\r\n\r\n"), s).status, 200)
	    << "the request's own limit applies";
	s.staleness_ms.reset();
	EXPECT_EQ(route(request_of("GET /replica HTTP/1.1\r\n\r\n"), s).status, 503) << "unknown is not fresh";
	s = streaming_standby();
	s.staleness_ms = 90'000;
	s.connecting_max_ms = 60'000;
	EXPECT_EQ(route(request_of("GET /replica HTTP/1.1\r\n\r\n"), s).status, 200)
	    << "a streaming standby keeps the request's (absent) limits";
	s = streaming_standby();
	s.replay_paused = true;
	EXPECT_EQ(route(request_of("GET /replica HTTP/1.1\r\n\r\n"), s).status, 503);
	s = streaming_standby();
	s.staleness_ms.reset();
	EXPECT_EQ(route(request_of("GET /replica HTTP/1.1\r\n\r\n"), s).status, 200) << "no limit asked";
	EXPECT_EQ(route(request_of("GET /replica?max_lag=1h HTTP/1.1\r\n\r\n"), s).status, 503) << "unknown is not fresh";
}

TEST(Route, StaleReplicaNamesWhatBlocksReplay) {
	NodeState s = streaming_standby();
	s.staleness_ms = 8300;
	s.unreplayed_bytes = 664;
	Response r = route(request_of("GET /replica?max_lag=1s HTTP/1.1\r\n\r\n"), s);
	EXPECT_TRUE(r.stale) << "the caller may look up the blocker";
	EXPECT_EQ(r.body, "standby data is 8.3 s stale, more than the allowed 1.0 s\n");
	s.replay_blocker = "replay blocked 8.2 s by pid 4711 (application 'reports') holding AccessShareLock on public.t";
	r = route(request_of("GET /read-only?max_lag=1s HTTP/1.1\r\n\r\n"), s);
	EXPECT_EQ(r.status, 503);
	EXPECT_EQ(r.body, "standby data is 8.3 s stale, more than the allowed 1.0 s; replay blocked 8.2 s by pid 4711 "
	                  "(application 'reports') holding AccessShareLock on public.t\n");
	EXPECT_FALSE(route(request_of("GET /replica HTTP/1.1\r\n\r\n"), s).stale) << "no limit asked: passes";
	s.receiver_streaming = false;
	EXPECT_FALSE(route(request_of("GET /replica?max_lag=1s HTTP/1.1\r\n\r\n"), s).stale)
	    << "refused for another reason";
}

TEST(Route, ReplicaRoleMustMatchWhenAsked) {
	NodeState s = streaming_standby();
	s.replica_role = "olap";
	EXPECT_EQ(route(request_of("GET /replica?role=olap HTTP/1.1\r\n\r\n"), s).status, 200);
	Response r = route(request_of("GET /replica?role=oltp HTTP/1.1\r\n\r\n"), s);
	EXPECT_EQ(r.status, 503);
	EXPECT_EQ(r.body, "replica role is olap, not oltp\n");
	EXPECT_EQ(route(request_of("GET /replica HTTP/1.1\r\n\r\n"), s).status, 200) << "no role asked";
	s.replica_role = "unset";
	EXPECT_EQ(route(request_of("GET /read-only?role=oltp HTTP/1.1\r\n\r\n"), s).status, 503);
}

TEST(FormatResponse, HeadersAndHead) {
	Response r;
	r.status = 503;
	r.body = "not primary\n";
	EXPECT_EQ(format_response(r, false, "text/plain"),
	          "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n"
	          "Cache-Control: no-store\r\nConnection: close\r\n\r\nnot primary\n");
	std::string head = format_response(r, true, "text/plain");
	EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n") << "HEAD has no body";
	EXPECT_NE(head.find("Content-Length: 12"), std::string::npos);
}
