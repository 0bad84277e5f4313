/*
 * options.hpp: the decoder's options, parsed and validated once at slot
 * start-up from the (name, value) pairs pg_recvlogical -o or
 * pg_logical_slot_get_changes pass. Names are hyphenated as in test_decoding
 * and wal2json; a boolean given without a value means true.
 */
#pragma once

#include "core/error.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace readscale::decoder {

enum class OutputFormat { Ndjson };

struct DecoderOptions {
	OutputFormat format = OutputFormat::Ndjson;
	bool include_xids = false;
	bool include_lsn = false;
	bool include_timestamp = false;
	bool include_transaction = false; /* emit begin and commit records */
	bool skip_empty_xacts = true;     /* begin is deferred to the first change */
};

struct RawOption {
	std::string name;
	std::optional<std::string> value; /* absent: "-o name" with no value */
};

/* Parses every option; the first bad one is reported with its name and the accepted values. */
Result<DecoderOptions> parse_options(const std::vector<RawOption> &raw);

/* The accepted option names, comma-separated, for hints. */
std::string accepted_option_names();

/* PostgreSQL's boolean spellings: true/false, on/off, yes/no, 1/0 (case-insensitive). */
std::optional<bool> parse_bool(std::string_view text);

} // namespace readscale::decoder

#include "core/cpp_only.hpp"
