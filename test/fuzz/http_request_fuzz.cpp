/* libFuzzer target: the health endpoint's request parser and router on arbitrary bytes. */
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
		(void) readscale::http::format_response(response, result.request.head, "text/plain");
	}
	return 0;
}
