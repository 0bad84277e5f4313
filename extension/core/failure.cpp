#include "core/failure.hpp"

#include "core/error.hpp"
#include "core/sqlstate.hpp"

#include <cstring>
#include <new>

namespace readscale {

bool
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

bool
is_valid_sqlstate(const char *code) noexcept {
	for (int i = 0; i < 5; ++i) {
		char c = code[i];
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')))
			return false;
	}
	return code[5] == '\0';
}

namespace {

void
set_text(char *dest, std::size_t capacity, const char *text) noexcept {
	copy_truncated(dest, capacity, text, std::strlen(text));
}

void
fill(Failure *out, const char *sqlstate, const char *message, const char *detail, const char *hint) noexcept {
	set_text(out->sqlstate, sizeof(out->sqlstate), sqlstate);
	set_text(out->message, sizeof(out->message), message);
	set_text(out->detail, sizeof(out->detail), detail);
	set_text(out->hint, sizeof(out->hint), hint);
}

} // namespace

void
describe_current_exception(Failure *out) noexcept {
	try {
		throw;
	} catch (const Error &e) {
		fill(out, e.sqlstate().c_str(), e.message().c_str(), e.detail().c_str(), e.hint().c_str());
		if (!is_valid_sqlstate(out->sqlstate))
			set_text(out->sqlstate, sizeof(out->sqlstate), sqlstate::kInternalError);
	} catch (const std::bad_alloc &) {
		fill(out, sqlstate::kOutOfMemory, "out of memory", "", "");
	} catch (const std::exception &e) {
		fill(out, sqlstate::kInternalError, "unexpected C++ exception", e.what(), "");
	} catch (...) {
		fill(out, sqlstate::kInternalError, "unexpected C++ exception of unknown type", "", "");
	}
}

} // namespace readscale
