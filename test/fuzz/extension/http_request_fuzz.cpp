/* libFuzzer target: the health endpoint's request parser, router and value parsers on arbitrary bytes. */
#include "core/health_state.hpp"
#include "core/http_request.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
	std::string_view input(reinterpret_cast<const char *>(data), size);
	readscale::http::Limits limits;
	auto result = readscale::http::parse_request(input, limits);
	if (result.status == readscale::http::ParseStatus::kComplete) {
		readscale::http::NodeState node;
		node.receiver_streaming = size % 2 == 0;
		auto response = readscale::http::route(result.request, node);
		(void)readscale::http::format_response(response, result.request.head, "text/plain");
	}
	(void)readscale::http::parse_listen_address(input);
	(void)readscale::http::parse_duration_ms(input);
	(void)readscale::http::parse_size_bytes(input);
	return 0;
}
