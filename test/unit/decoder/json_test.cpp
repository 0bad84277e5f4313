#include "core/json.hpp"

#include <gtest/gtest.h>

#include <string>

using readscale::decoder::JsonKind;

namespace {

std::string
encode(JsonKind kind, const std::string &text) {
	std::string out(readscale::decoder::encoded_length(kind, text.data(), text.size()), '?');
	char *end = readscale::decoder::encode(kind, text.data(), text.size(), out.data());
	EXPECT_EQ(static_cast<std::size_t>(end - out.data()), out.size()) << "length and writer disagree";
	EXPECT_GE(readscale::decoder::encoded_length_bound(kind, text.size()), out.size()) << "bound below the length";
	return out;
}

} // namespace

TEST(Json, StringsEscapePerRfc8259) {
	EXPECT_EQ(encode(JsonKind::String, "plain"), "\"plain\"");
	EXPECT_EQ(encode(JsonKind::String, "a\"b\\c"), "\"a\\\"b\\\\c\"");
	EXPECT_EQ(encode(JsonKind::String, "\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"");
	EXPECT_EQ(encode(JsonKind::String, std::string("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
	EXPECT_EQ(encode(JsonKind::String, std::string("\0", 1)), "\"\\u0000\"");
	EXPECT_EQ(encode(JsonKind::String, "h\xC3\xA9llo \xE2\x82\xAC"), "\"h\xC3\xA9llo \xE2\x82\xAC\"");
	EXPECT_EQ(encode(JsonKind::String, ""), "\"\"");
}

TEST(Json, NumbersStayNumbersExceptNonFinite) {
	EXPECT_EQ(encode(JsonKind::Integer, "-42"), "-42");
	EXPECT_EQ(encode(JsonKind::Float, "1.5e+300"), "1.5e+300");
	EXPECT_EQ(encode(JsonKind::Float, "NaN"), "\"NaN\"");
	EXPECT_EQ(encode(JsonKind::Float, "Infinity"), "\"Infinity\"");
	EXPECT_EQ(encode(JsonKind::Float, "-Infinity"), "\"-Infinity\"");
}

TEST(Json, BoolsAndEmbeddedJson) {
	EXPECT_EQ(encode(JsonKind::Bool, "t"), "true");
	EXPECT_EQ(encode(JsonKind::Bool, "f"), "false");
	EXPECT_EQ(encode(JsonKind::Json, "{\"k\": [1]}"), "{\"k\": [1]}");
}

/* json keeps its input's line breaks; the record must stay one line (ndjson, batch-bytes' split on \n). */
TEST(Json, EmbeddedJsonStaysOnOneLine) {
	EXPECT_EQ(encode(JsonKind::Json, "{\"a\":\n [1,\t2],\r\n\"b\": \"x\\ny\"}\n"),
	          "{\"a\":  [1,\t2],  \"b\": \"x\\ny\"} ");
	EXPECT_EQ(encode(JsonKind::Json, "\n\n"), "  ");
	EXPECT_EQ(encode(JsonKind::Json, ""), "");
}

TEST(Json, EveryByteRoundTripsThroughLengthAndWriter) {
	std::string all;
	for (int c = 0; c < 256; ++c)
		all.push_back(static_cast<char>(c));
	std::string out = encode(JsonKind::String, all);
	for (unsigned char c : out.substr(1, out.size() - 2))
		if (c < 0x20)
			ADD_FAILURE() << "raw control byte " << int(c);
}

TEST(Json, Wal2jsonNumbers) {
	EXPECT_EQ(encode(JsonKind::NumberOrNull, "12.50"), "12.50");
	EXPECT_EQ(encode(JsonKind::NumberOrNull, "-3e-07"), "-3e-07");
	for (const char *special : {"NaN", "nan", "Infinity", "-Infinity", "infinity"})
		EXPECT_EQ(encode(JsonKind::NumberOrNull, special), "null") << special;
}

TEST(Json, Wal2jsonHexBytes) {
	EXPECT_EQ(encode(JsonKind::HexBytes, "\\x00ff"), "\"00ff\"");
	EXPECT_EQ(encode(JsonKind::HexBytes, "\\x"), "\"\"");
	EXPECT_EQ(encode(JsonKind::HexBytes, "x"), "\"\"");
}

/* The writer checks eight bytes at a time: an escape at any place in or across those blocks. */
TEST(Json, EscapesAtEveryOffsetOfAWord) {
	for (char special : {'"', '\\', '\n', '\x01', '\x1f'}) {
		for (std::size_t size = 1; size <= 24; ++size) {
			for (std::size_t at = 0; at < size; ++at) {
				std::string text(size, '\xC3');
				text[at] = special;
				std::string expected = "\"";
				for (char c : text) {
					if (c == special)
						expected += c == '"'      ? "\\\""
						            : c == '\\'   ? "\\\\"
						            : c == '\n'   ? "\\n"
						            : c == '\x01' ? "\\u0001"
						                          : "\\u001f";
					else
						expected += c;
				}
				expected += '"';
				EXPECT_EQ(encode(JsonKind::String, text), expected) << "size " << size << " at " << at;
			}
		}
	}
}

/* Every byte value in whole eight-byte words: escaped exactly when RFC 8259 requires it. */
TEST(Json, EveryByteInWholeWords) {
	for (int c = 0; c < 256; ++c) {
		std::string one = encode(JsonKind::String, std::string(1, static_cast<char>(c)));
		std::string inner = one.substr(1, one.size() - 2);
		std::string expected = "\"";
		for (int i = 0; i < 16; ++i)
			expected += inner;
		expected += '"';
		EXPECT_EQ(encode(JsonKind::String, std::string(16, static_cast<char>(c))), expected) << "byte " << c;
		EXPECT_EQ(inner.size() == 1, c >= 0x20 && c != '"' && c != '\\') << "byte " << c;
	}
}
