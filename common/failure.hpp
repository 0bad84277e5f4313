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

#include "common/error.hpp"
#include "common/sqlstate.hpp"

#include <cstddef>
#include <cstring>
#include <new>
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
static_assert(std::is_trivially_destructible_v<Failure>,
              "the guard keeps a Failure in frames PostgreSQL may longjmp over");

/*
 * Copies text into a fixed buffer, truncating on a UTF-8 character boundary
 * and marking truncation with "...". Returns false when it truncated.
 */
inline bool
copy_truncated(char *dest, std::size_t capacity, const char *text, std::size_t length) noexcept {
	if (capacity == 0)
		return length == 0;
	if (length < capacity) {
		std::memcpy(dest, text, length);
		dest[length] = '\0';
		return true;
	}
	static constexpr char kEllipsis[] = "...";
	std::size_t keep = capacity - sizeof(kEllipsis);
	/* Step back over UTF-8 continuation bytes so no character is cut in two. */
	while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80)
		--keep;
	std::memcpy(dest, text, keep);
	std::memcpy(dest + keep, kEllipsis, sizeof(kEllipsis));
	return false;
}

/* True for five characters of [0-9A-Z], the shape of an SQLSTATE. */
inline bool
is_valid_sqlstate(const char *code) noexcept {
	std::size_t length = 0;
	/* Stops at the terminator, so a shorter string is never read past its end. */
	for (; code[length] != '\0'; ++length) {
		char c = code[length];
		if (length == 5 || !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')))
			return false;
	}
	return length == 5;
}

namespace failure_detail {

inline void
set_text(char *dest, std::size_t capacity, const char *text) noexcept {
	copy_truncated(dest, capacity, text, std::strlen(text));
}

inline void
fill(Failure *out, const char *sqlstate, const char *message, const char *detail, const char *hint) noexcept {
	set_text(out->sqlstate, sizeof(out->sqlstate), sqlstate);
	set_text(out->message, sizeof(out->message), message);
	set_text(out->detail, sizeof(out->detail), detail);
	set_text(out->hint, sizeof(out->hint), hint);
}

} // namespace failure_detail

/* Fills *out from the exception being handled. Call only inside a catch block. */
inline void
describe_current_exception(Failure *out) noexcept {
	using failure_detail::fill;
	try {
		throw;
	} catch (const Error &e) {
		fill(out, e.sqlstate().c_str(), e.message().c_str(), e.detail().c_str(), e.hint().c_str());
		if (!is_valid_sqlstate(out->sqlstate))
			failure_detail::set_text(out->sqlstate, sizeof(out->sqlstate), sqlstate::kInternalError);
	} catch (const std::bad_alloc &) {
		fill(out, sqlstate::kOutOfMemory, "out of memory", "", "");
	} catch (const std::exception &e) {
		fill(out, sqlstate::kInternalError, "unexpected C++ exception", e.what(), "");
	} catch (...) {
		fill(out, sqlstate::kInternalError, "unexpected C++ exception of unknown type", "", "");
	}
}

} // namespace readscale

#include "common/cpp_only.hpp"
