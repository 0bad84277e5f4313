/*
 * failure.hpp: the core half of the C++/PostgreSQL boundary guard.
 *
 * describe_current_exception() turns whatever exception is in flight into a
 * Failure: fixed-size buffers, trivially destructible, filled without any
 * allocation. The guard (bridge/guard.hpp) calls it inside its catch handler,
 * lets the handler close (destroying the exception object and every C++
 * object), and only then calls ereport(ERROR) from the Failure. Nothing here
 * allocates, so the handler cannot fail halfway.
 */
#pragma once

#include <cstddef>
#include <type_traits>

namespace readscale {

struct Failure {
	static constexpr std::size_t kMessageCapacity = 1024;
	static constexpr std::size_t kDetailCapacity = 2048;
	static constexpr std::size_t kHintCapacity = 1024;

	char sqlstate[6];
	char message[kMessageCapacity];
	char detail[kDetailCapacity];
	char hint[kHintCapacity];
};
static_assert(std::is_trivially_destructible_v<Failure>, "the guard keeps a Failure in frames PostgreSQL may longjmp over");

/* Fills *out from the exception being handled. Call only inside a catch block. */
void describe_current_exception(Failure *out) noexcept;

/*
 * Copies text into a fixed buffer, truncating on a UTF-8 character boundary
 * and marking truncation with "...". Returns false when it truncated.
 */
bool copy_truncated(char *dest, std::size_t capacity, const char *text, std::size_t length) noexcept;

/* True for five characters of [0-9A-Z], the shape of an SQLSTATE. */
bool is_valid_sqlstate(const char *code) noexcept;

} // namespace readscale

#include "core/cpp_only.hpp"
