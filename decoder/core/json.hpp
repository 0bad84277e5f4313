/*
 * json.hpp: RFC 8259 JSON encoding of one value into a caller-sized buffer.
 *
 * Sized before written: encoded_length() (exact, a pass over the value) or
 * encoded_length_bound() (from the length alone), so glue can size its
 * PostgreSQL StringInfo once (enlargeStringInfo) and encode() writes straight
 * into it: no intermediate std::string, no allocation per value, and nothing
 * with a destructor alive while glue calls PostgreSQL.
 */
#pragma once

#include <cstddef>

namespace readscale::decoder {

/* How a column's text output becomes JSON. */
enum class JsonKind {
	Integer, /* int2, int4, int8, oid: always a JSON number */
	Float,   /* float4, float8, numeric: a number, or a string for NaN and infinities */
	Bool,    /* "t"/"f" -> true/false */
	Json,    /* json, jsonb: already JSON text, embedded; line breaks (between tokens only) as spaces */
	String,  /* everything else: a JSON string */
	/* wal2json format-version 2 compatibility: */
	NumberOrNull, /* a number; NaN and [-]Infinity (any case, as a prefix) become null */
	HexBytes,     /* bytea text \x0a1b: a JSON string of the hex digits after the \x */
};

/* Bytes encode() writes for this value. */
std::size_t encoded_length(JsonKind kind, const char *text, std::size_t length) noexcept;

/*
 * At least encoded_length(), computed from the length alone (every byte
 * escaped as \u00XX at worst), so that short values can be sized without
 * reading them twice.
 */
std::size_t encoded_length_bound(JsonKind kind, std::size_t length) noexcept;

/* Writes the JSON form of text to dest (encoded_length bytes); returns the end. */
char *encode(JsonKind kind, const char *text, std::size_t length, char *dest) noexcept;

/* Length and writer for a JSON string literal (with quotes) of arbitrary bytes. */
std::size_t quoted_length(const char *text, std::size_t length) noexcept;
char *write_quoted(const char *text, std::size_t length, char *dest) noexcept;

} // namespace readscale::decoder

#include "common/cpp_only.hpp"
