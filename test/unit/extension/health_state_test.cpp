#include "core/health_state.hpp"

#include <gtest/gtest.h>

using namespace readscale::http;

TEST(ParseListenAddress, PortAloneMeansLoopback) {
	auto a = parse_listen_address("8008");
	ASSERT_TRUE(a.ok());
	EXPECT_EQ(a.value().host, "127.0.0.1");
	EXPECT_EQ(a.value().port, 8008);
	a = parse_listen_address("0.0.0.0:65535");
	ASSERT_TRUE(a.ok());
	EXPECT_EQ(a.value().host, "0.0.0.0");
	EXPECT_EQ(a.value().port, 65535);
}

TEST(ParseListenAddress, RejectsNonsense) {
	for (const char *bad : {"", "0", "65536", "http", "127.0.0.1:", ":8008", "localhost:8008", "1.2.3:80",
	                        "256.0.0.1:80", "01.2.3.4:80", "1.2.3.4.5:80", "8008x", "::1:8008"}) {
		auto r = parse_listen_address(bad);
		ASSERT_FALSE(r.ok()) << bad;
		EXPECT_EQ(r.error().sqlstate(), "22023") << bad;
		EXPECT_FALSE(r.error().hint().empty());
	}
}

TEST(ParseListenAddress, BracketedIpv6) {
	for (auto [text, host] :
	     {std::pair {"[::1]:8008", "::1"}, std::pair {"[::]:80", "::"}, std::pair {"[fe80::1:2]:80", "fe80::1:2"},
	      std::pair {"[1:2:3:4:5:6:7:8]:80", "1:2:3:4:5:6:7:8"}, std::pair {"[1::]:80", "1::"}}) {
		auto a = parse_listen_address(text);
		ASSERT_TRUE(a.ok()) << text;
		EXPECT_EQ(a.value().host, host);
		EXPECT_TRUE(a.value().ipv6);
	}
	EXPECT_FALSE(parse_listen_address("8008").value().ipv6);
	for (const char *bad : {"[::1]", "[::1]8008", "[]:80", "[:::1]:80", "[1::2::3]:80", "[12345::]:80", "[g::1]:80",
	                        "[1:2:3:4:5:6:7]:80", "[1:2:3:4:5:6:7:8:9]:80", "[1:2:3:4::5:6:7:8]:80", "::1]:80",
	                        "[::1:80", "[::1]:0", "[::1]:65536", "[fe80::1%eth0]:80"}) {
		auto r = parse_listen_address(bad);
		ASSERT_FALSE(r.ok()) << bad;
		EXPECT_EQ(r.error().sqlstate(), "22023") << bad;
	}
}

TEST(NodeMetrics, PrimaryAndStandby) {
	NodeState primary;
	primary.primary = true;
	EXPECT_EQ(node_metrics_text(primary),
	          "# HELP readscale_in_recovery Whether this server is a standby (1) or a primary (0).\n"
	          "# TYPE readscale_in_recovery gauge\nreadscale_in_recovery 0\n");
	NodeState standby;
	standby.receiver_streaming = true;
	standby.unreplayed_bytes = 42;
	standby.staleness_ms = 1500;
	std::string text = node_metrics_text(standby);
	EXPECT_NE(text.find("\nreadscale_wal_receiver_up 1\n"), std::string::npos);
	EXPECT_NE(text.find("\nreadscale_wal_receiver_connecting 0\n"), std::string::npos);
	EXPECT_NE(text.find("\nreadscale_local_unreplayed_bytes 42\n"), std::string::npos);
	EXPECT_NE(text.find("\nreadscale_local_staleness_seconds 1.500\n"), std::string::npos);
	standby.staleness_ms.reset();
	EXPECT_EQ(node_metrics_text(standby).find("\nreadscale_local_staleness_seconds "), std::string::npos)
	    << "no sample when unknown";
}

TEST(NodeStatus, Json) {
	NodeState primary;
	primary.primary = true;
	EXPECT_EQ(node_status_json(primary), "{\"role\":\"primary\"}\n");
	NodeState standby;
	EXPECT_EQ(node_status_json(standby),
	          "{\"role\":\"standby\",\"wal_receiver_streaming\":false,\"replay_paused\":false,"
	          "\"unreplayed_bytes\":0,\"staleness_ms\":null,\"wal_receiver_connecting\":false}\n");
}

TEST(NodeStatus, ConnectingReceiverIsNotStreaming) {
	NodeState standby;
	standby.receiver_connecting = true;
	std::string json = node_status_json(standby);
	EXPECT_NE(json.find("\"wal_receiver_streaming\":false"), std::string::npos);
	EXPECT_NE(json.find("\"wal_receiver_connecting\":true"), std::string::npos);
	std::string text = node_metrics_text(standby);
	EXPECT_NE(text.find("\nreadscale_wal_receiver_up 0\n"), std::string::npos);
	EXPECT_NE(text.find("\nreadscale_wal_receiver_connecting 1\n"), std::string::npos);
}

TEST(NodeStatus, ShowsTheReplicaRole) {
	NodeState standby;
	standby.replica_role = "oltp";
	EXPECT_EQ(node_status_json(standby),
	          "{\"role\":\"standby\",\"wal_receiver_streaming\":false,\"replay_paused\":false,"
	          "\"unreplayed_bytes\":0,\"staleness_ms\":null,\"wal_receiver_connecting\":false,"
	          "\"replica_role\":\"oltp\"}\n")
	    << "added last, after the fields clients already read";
}

TEST(ConnectionEviction, OldestHeldConnection) {
	const std::int64_t none[3] = {-1, -1, -1};
	EXPECT_EQ(connection_to_evict(none, 3), 3u) << "nothing to evict";
	const std::int64_t held[4] = {30, 10, -1, 20};
	EXPECT_EQ(connection_to_evict(held, 4), 1u) << "the one accepted first";
	const std::int64_t tie[3] = {5, 5, 7};
	EXPECT_EQ(connection_to_evict(tie, 3), 0u) << "ties: the lower slot";
	EXPECT_EQ(connection_to_evict(held, 0), 0u) << "empty table";
}
