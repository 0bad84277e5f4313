/*
 * column_text.cpp: the JSON of one column value, written into the record.
 * int2/4/8, bool and text are written here; finite float8, numeric and
 * timestamptz by core's value_text (the bytes their output functions write,
 * without an fmgr call and a palloc per value) when the session's settings
 * are those core reproduces (extra_float_digits > 0, DateStyle ISO);
 * everything else, special values, and every value of a database that is
 * converted to UTF-8, through the type's output function.
 */
#include "core/options.hpp"
#include "core/relation_plan.hpp"
#include "core/json.hpp"
#include "core/value_text.hpp"

#include "bridge/postgres.hpp"
#include "glue/output.hpp"
#include "glue/state.hpp"

#include <cmath>

namespace readscale::decoder::glue {

FastOutput
fast_output_of(Oid type) {
	switch (type) {
	case INT2OID:
		return kFastInt2;
	case INT4OID:
		return kFastInt4;
	case INT8OID:
		return kFastInt8;
	case BOOLOID:
		return kFastBool;
	case TEXTOID:
	case VARCHAROID:
		return kFastText;
	case FLOAT8OID:
		return kFastFloat8;
	case NUMERICOID:
		return kFastNumeric;
	case TIMESTAMPTZOID:
		return kFastTimestamptz;
	default:
		return kFastNone;
	}
}

namespace {

/*
 * C-shaped: fills the zone cache for seconds from pg_localtime (what
 * timestamp2tm uses) and the zone's next transition; marks the zone unusable
 * when its local time is not UTC + offset (a zone with leap seconds).
 */
void
fill_zone_cache(ZoneOffsetCache *cache, pg_time_t seconds) {
	cache->tz = session_timezone;
	cache->usable = false;
	struct pg_tm *local = pg_localtime(&seconds, session_timezone);
	long before = 0;
	long after = 0;
	int before_isdst = 0;
	int after_isdst = 0;
	pg_time_t boundary = 0;
	int found =
	    pg_next_dst_boundary(&seconds, &before, &before_isdst, &boundary, &after, &after_isdst, session_timezone);
	if (local == nullptr || found < 0 || before != local->tm_gmtoff)
		return;
	int64 local_seconds = seconds + local->tm_gmtoff;
	int64 time_of_day =
	    local_seconds - (local_seconds >= 0 ? local_seconds / 86400 : (local_seconds - 86399) / 86400) * 86400;
	if (time_of_day != local->tm_hour * 3600 + local->tm_min * 60 + local->tm_sec)
		return;
	cache->usable = true;
	cache->from = seconds;
	cache->until = found == 0 ? PG_INT64_MAX : boundary;
	cache->gmtoff = local->tm_gmtoff;
}

/* C-shaped: timestamptz_out's text in DateStyle ISO, or nullptr when the output function must write it. */
const char *
timestamptz_text(const DecoderState *state, Datum value, char *buffer, std::size_t *length) {
	TimestampTz stamp = DatumGetTimestampTz(value);
	if (DateStyle != USE_ISO_DATES || TIMESTAMP_NOT_FINITE(stamp) || session_timezone == nullptr)
		return nullptr;
	ZoneOffsetCache *cache = &state->zone;
	pg_time_t seconds = unix_seconds_of(stamp);
	if (cache->tz != session_timezone || (cache->usable && (seconds < cache->from || seconds >= cache->until)))
		fill_zone_cache(cache, seconds);
	if (!cache->usable)
		return nullptr;
	return format_timestamptz_iso(stamp, cache->gmtoff, buffer, length, &state->timestamp_text) ? buffer : nullptr;
}

/* C-shaped: numeric_out's text, or nullptr when it would not fit in buffer. */
const char *
numeric_text(Datum value, char *buffer, std::size_t *length) {
	struct varlena *number = pg_detoast_datum_packed(reinterpret_cast<struct varlena *>(DatumGetPointer(value)));
	const auto *data = reinterpret_cast<const unsigned char *>(VARDATA_ANY(number));
	std::size_t size = VARSIZE_ANY_EXHDR(number);
	*length = format_numeric_within(data, size, buffer, kValueBufferSize);
	return *length != 0 ? buffer : nullptr;
}

/* Whether a number's text is a JSON number: not NaN or [-]Infinity. */
bool
is_json_number(const char *text) {
	char first = text[0] == '-' ? text[1] : text[0];
	return first >= '0' && first <= '9';
}

/* text as a JSON string, room made for the worst case (every byte escaped as \u00XX). */
void
append_quoted_text(StringInfo out, const char *text, std::size_t length) {
	char *end = write_quoted(text, length, reserve_bytes(out, 6 * length + 2));
	set_end(out, end);
}

/*
 * C-shaped: writes the JSON of the common types straight into out's reserved
 * kValueBufferSize + 2 bytes at dest, no text copy or encoder dispatch;
 * returns the end, or nullptr when append_value must take the general path.
 */
char *
write_direct(const DecoderState *state, const RelEntry *entry, std::size_t i, JsonKind kind, Datum value, char *dest) {
	const bool number = kind == JsonKind::Float || kind == JsonKind::NumberOrNull;
	std::size_t length = 0;
	switch (entry->fast[i]) {
	case kFastInt2:
		return dest + pg_itoa(DatumGetInt16(value), dest);
	case kFastInt4:
		return dest + pg_ltoa(DatumGetInt32(value), dest);
	case kFastInt8:
		return dest + pg_lltoa(DatumGetInt64(value), dest);
	case kFastBool:
		if (kind != JsonKind::Bool)
			return nullptr;
		memcpy(dest, DatumGetBool(value) ? "true" : "false", 5);
		return dest + (DatumGetBool(value) ? 4 : 5);
	case kFastFloat8:
		if (!number || extra_float_digits <= 0 || !std::isfinite(DatumGetFloat8(value)))
			return nullptr;
		return dest + format_float8(DatumGetFloat8(value), dest);
	case kFastNumeric:
		if (number) {
			if (numeric_text(value, dest, &length) == nullptr || !is_json_number(dest))
				return nullptr;
			return dest + length;
		}
		if (kind != JsonKind::String || numeric_text(value, dest + 1, &length) == nullptr)
			return nullptr;
		break;
	case kFastTimestamptz:
		if (kind != JsonKind::String || timestamptz_text(state, value, dest + 1, &length) == nullptr)
			return nullptr;
		break;
	default:
		return nullptr;
	}
	/* numeric and timestamptz texts as JSON strings: nothing in them needs escaping */
	dest[0] = '"';
	dest[length + 1] = '"';
	return dest + length + 2;
}

} // namespace

void
append_value(const DecoderState *state, StringInfo out, const RelEntry *entry, std::size_t i, JsonKind kind,
             Datum value) {
	char *end = write_direct(state, entry, i, kind, value, reserve_bytes(out, kValueBufferSize + 2));
	if (end != nullptr) {
		set_end(out, end);
		return;
	}
	if (entry->fast[i] == kFastText) { /* a text column is always a JSON string */
		struct varlena *text = pg_detoast_datum_packed(reinterpret_cast<struct varlena *>(DatumGetPointer(value)));
		std::size_t length = VARSIZE_ANY_EXHDR(text);
		if (length <= kShortValue)
			return append_quoted_text(out, VARDATA_ANY(text), length);
		return append_json(out, kind, VARDATA_ANY(text), length);
	}
	/* every other type, and what write_direct leaves (special values, other settings): the output function */
	char *text = OutputFunctionCall(const_cast<FmgrInfo *>(&entry->output[i]), value);
	if (state->convert_to_utf8)
		text = pg_server_to_any(text, static_cast<int>(strlen(text)), PG_UTF8);
	append_json(out, kind, text, strlen(text));
}

} // namespace readscale::decoder::glue
