/*
 * json_validator.hpp: an independent RFC 8259 checker for the decoder's JSON
 * writer tests (fuzz target and unit tests). Deliberately plain: a recursive
 * descent over the grammar of section 2-7, plus UTF-8 well-formedness (RFC
 * 3629: no overlongs, no surrogates, nothing above U+10FFFF), section 8.1.
 */
#pragma once

#include <cstddef>
#include <string_view>

namespace readscale::testing {

class JsonValidator {
public:
	/* Whether text is exactly one JSON value, optionally surrounded by whitespace. */
	static bool
	valid(std::string_view text, bool require_utf8 = true) {
		JsonValidator v(text, require_utf8);
		v.skip_space();
		if (!v.value(0))
			return false;
		v.skip_space();
		return v.pos_ == text.size();
	}

	/* Whether bytes are well-formed UTF-8. */
	static bool
	utf8(std::string_view bytes) {
		for (std::size_t i = 0; i < bytes.size();) {
			std::size_t n = utf8_sequence(bytes, i);
			if (n == 0)
				return false;
			i += n;
		}
		return true;
	}

private:
	JsonValidator(std::string_view text, bool require_utf8) : text_(text), require_utf8_(require_utf8) {
	}

	/* Length of the well-formed UTF-8 sequence at i, 0 if there is none. */
	static std::size_t
	utf8_sequence(std::string_view s, std::size_t i) {
		auto at = [&](std::size_t k) {
			return static_cast<unsigned char>(s[k]);
		};
		unsigned char c = at(i);
		if (c < 0x80)
			return 1;
		std::size_t n;
		unsigned char lo = 0x80, hi = 0xBF;
		if (c >= 0xC2 && c <= 0xDF)
			n = 2;
		else if (c >= 0xE0 && c <= 0xEF) {
			n = 3;
			lo = c == 0xE0 ? 0xA0 : 0x80;
			hi = c == 0xED ? 0x9F : 0xBF;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 4;
			lo = c == 0xF0 ? 0x90 : 0x80;
			hi = c == 0xF4 ? 0x8F : 0xBF;
		} else
			return 0;
		if (i + n > s.size() || at(i + 1) < lo || at(i + 1) > hi)
			return 0;
		for (std::size_t k = 2; k < n; ++k)
			if (at(i + k) < 0x80 || at(i + k) > 0xBF)
				return 0;
		return n;
	}

	bool
	at_end() const {
		return pos_ >= text_.size();
	}
	char
	peek() const {
		return text_[pos_];
	}
	void
	skip_space() {
		while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r'))
			++pos_;
	}
	bool
	literal(std::string_view word) {
		if (text_.substr(pos_, word.size()) != word)
			return false;
		pos_ += word.size();
		return true;
	}
	bool
	digits() {
		std::size_t start = pos_;
		while (!at_end() && peek() >= '0' && peek() <= '9')
			++pos_;
		return pos_ > start;
	}

	bool
	number() {
		if (!at_end() && peek() == '-')
			++pos_;
		if (at_end())
			return false;
		if (peek() == '0')
			++pos_;
		else if (!digits())
			return false;
		if (!at_end() && peek() == '.') {
			++pos_;
			if (!digits())
				return false;
		}
		if (!at_end() && (peek() == 'e' || peek() == 'E')) {
			++pos_;
			if (!at_end() && (peek() == '+' || peek() == '-'))
				++pos_;
			if (!digits())
				return false;
		}
		return true;
	}

	bool
	hex4() {
		for (int k = 0; k < 4; ++k, ++pos_) {
			if (at_end())
				return false;
			char c = peek();
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
				return false;
		}
		return true;
	}

	bool
	string() {
		++pos_; /* opening quote */
		while (!at_end()) {
			auto c = static_cast<unsigned char>(peek());
			if (c == '"') {
				++pos_;
				return true;
			}
			if (c < 0x20)
				return false;
			if (c == '\\') {
				++pos_;
				if (at_end())
					return false;
				char e = peek();
				if (e == 'u') {
					++pos_;
					if (!hex4())
						return false;
					continue;
				}
				if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos)
					return false;
				++pos_;
				continue;
			}
			std::size_t n = require_utf8_ ? utf8_sequence(text_, pos_) : 1;
			if (n == 0)
				return false;
			pos_ += n;
		}
		return false;
	}

	bool
	sequence(char close, int depth, bool members) {
		++pos_; /* opening bracket */
		skip_space();
		if (!at_end() && peek() == close) {
			++pos_;
			return true;
		}
		for (;;) {
			skip_space();
			if (members) {
				if (at_end() || peek() != '"' || !string())
					return false;
				skip_space();
				if (at_end() || peek() != ':')
					return false;
				++pos_;
				skip_space();
			}
			if (!value(depth + 1))
				return false;
			skip_space();
			if (at_end())
				return false;
			if (peek() == close) {
				++pos_;
				return true;
			}
			if (peek() != ',')
				return false;
			++pos_;
		}
	}

	bool
	value(int depth) {
		if (at_end() || depth > 256)
			return false;
		switch (peek()) {
		case '{':
			return sequence('}', depth, true);
		case '[':
			return sequence(']', depth, false);
		case '"':
			return string();
		case 't':
			return literal("true");
		case 'f':
			return literal("false");
		case 'n':
			return literal("null");
		default:
			return number();
		}
	}

	std::string_view text_;
	bool require_utf8_;
	std::size_t pos_ = 0;
};

} // namespace readscale::testing
