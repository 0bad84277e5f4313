/*
 * options.hpp: the decoder's options, parsed and validated once at slot
 * start-up from the (name, value) pairs pg_recvlogical -o or
 * pg_logical_slot_get_changes pass. Names are hyphenated as in test_decoding
 * and wal2json; a boolean given without a value means true.
 */
#pragma once

#include "common/error.hpp"
#include "core/table_pattern.hpp"

#include <cstdint>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace readscale::decoder {

/*
 * Ndjson: our records. Wal2jsonV2: byte for byte wal2json 2.5's
 * format-version 2 for the options both support; it changes two defaults as
 * wal2json has them: include-transaction on and skip-empty-xacts off.
 */
enum class OutputFormat { Ndjson, Wal2jsonV2 };

/* Operations the "actions" option selects. */
enum Action : unsigned {
	kActionInsert = 1u << 0,
	kActionUpdate = 1u << 1,
	kActionDelete = 1u << 2,
	kActionTruncate = 1u << 3,
};
inline constexpr unsigned kAllActions = kActionInsert | kActionUpdate | kActionDelete | kActionTruncate;

struct DecoderOptions {
	OutputFormat format = OutputFormat::Ndjson;
	bool include_xids = false;
	bool include_lsn = false;
	bool include_timestamp = false;
	bool include_transaction = false; /* emit begin and commit records */
	bool skip_empty_xacts = true;     /* begin is deferred to the first change */
	bool include_origin = false;      /* origin id of replicated transactions */
	bool numeric_as_string = false;   /* numeric as a JSON string instead of a number */
	bool json_as_string = false;      /* json and jsonb as a JSON string of their text, not embedded */
	bool include_generated_columns = false;
	bool include_types = true;      /* wal2json-v2: "type" of each column */
	bool stream_changes = false;    /* stream large in-progress transactions (stream_* records) */
	unsigned actions = kAllActions; /* Action bits */
	/* 0: one output message per change; N: consecutive change lines of a transaction share a message of <= N bytes */
	std::uint32_t batch_bytes = 0;
	std::vector<TablePattern> add_tables;    /* empty: every table */
	std::vector<TablePattern> filter_tables; /* excluded, wins over add-tables */
	std::vector<ColumnPattern> add_columns;  /* a table matched here sends only these columns */
	std::vector<ColumnPattern> filter_columns;
	std::vector<std::string> add_msg_prefixes; /* empty: every prefix */
	std::vector<std::string> filter_msg_prefixes;
	std::vector<std::uint32_t> filter_origins;  /* transactions from these origins are skipped */
	std::vector<std::string> publication_names; /* tables, actions, column lists of these publications */
};

struct RawOption {
	std::string name;
	std::optional<std::string> value; /* absent: "-o name" with no value */
};

/* Parses every option; the first bad one is reported with its name and the accepted values. */
Result<DecoderOptions> parse_options(const std::vector<RawOption> &raw);

/* batch-bytes' accepted range (besides 0). */
inline constexpr std::uint32_t kMinBatchBytes = 1024;
inline constexpr std::uint32_t kMaxBatchBytes = 16u * 1024 * 1024;

/* The accepted option names, comma-separated, for hints. */
std::string accepted_option_names();

/* Whether a logical message with this prefix passes add-msg-prefixes / filter-msg-prefixes. */
bool message_prefix_included(const DecoderOptions &options, std::string_view prefix) noexcept;

/* Whether a transaction from this replication origin passes filter-origins (0: local). */
bool origin_included(const DecoderOptions &options, std::uint32_t origin) noexcept;

/* PostgreSQL's boolean spellings: true/false, on/off, yes/no, 1/0 (case-insensitive). */
std::optional<bool> parse_bool(std::string_view text);

} // namespace readscale::decoder

#include "common/cpp_only.hpp"
