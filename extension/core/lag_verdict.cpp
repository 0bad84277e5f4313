/*
 * lag_verdict.cpp: see lag_verdict.hpp.
 */
#include "core/lag_verdict.hpp"

#include "common/sqlstate.hpp"

#include <cstdio>

namespace readscale {

namespace {

/* One element of a tokenised LIKE pattern. */
struct PatternItem {
	enum Kind { kLiteral, kAnyOne, kAnyRun } kind;
	char literal;
};

/* Tokenises pattern; false on a trailing lone escape. */
bool
tokenise(std::string_view pattern, std::vector<PatternItem> *items) {
	for (std::size_t i = 0; i < pattern.size(); i++) {
		char c = pattern[i];
		if (c == '\\') {
			if (i + 1 == pattern.size())
				return false;
			items->push_back({PatternItem::kLiteral, pattern[++i]});
		} else if (c == '%') {
			if (items->empty() || items->back().kind != PatternItem::kAnyRun)
				items->push_back({PatternItem::kAnyRun, 0});
		} else if (c == '_') {
			items->push_back({PatternItem::kAnyOne, 0});
		} else {
			items->push_back({PatternItem::kLiteral, c});
		}
	}
	return true;
}

struct Specificity {
	bool exact = true;
	std::size_t literals = 0;
};

Specificity
specificity(std::string_view pattern) {
	std::vector<PatternItem> items;
	Specificity s;
	tokenise(pattern, &items);
	for (const PatternItem &item : items) {
		if (item.kind == PatternItem::kLiteral)
			s.literals++;
		else
			s.exact = false;
	}
	return s;
}

/* True when a is more specific than b (ties: smaller pattern text wins). */
bool
more_specific(std::string_view a, std::string_view b) {
	Specificity sa = specificity(a), sb = specificity(b);
	if (sa.exact != sb.exact)
		return sa.exact;
	if (sa.literals != sb.literals)
		return sa.literals > sb.literals;
	return a < b;
}

bool
exceeds(std::int64_t value, std::int64_t threshold) {
	return threshold >= 0 && value > threshold;
}

std::string
lag_text(const LagSample &sample) {
	return "replay lag " + (sample.lag_ms ? format_ms(*sample.lag_ms) : std::string("unknown")) + ", " +
	       format_bytes(sample.bytes);
}

} // namespace

const char *
verdict_name(Verdict verdict) noexcept {
	switch (verdict) {
	case Verdict::kOk:
		return "ok";
	case Verdict::kWarning:
		return "warning";
	case Verdict::kCritical:
		return "critical";
	}
	return "critical";
}

namespace {

LagJudgement
judge_thresholds(const LagSample &sample, const LagThresholds &t) {
	auto bytes = static_cast<std::int64_t>(sample.bytes > INT64_MAX ? INT64_MAX : sample.bytes);
	const Verdict levels[] = {Verdict::kCritical, Verdict::kWarning};
	for (Verdict level : levels) {
		bool critical = level == Verdict::kCritical;
		std::int64_t max_ms = critical ? t.critical_ms : t.warning_ms;
		std::int64_t max_bytes = critical ? t.critical_bytes : t.warning_bytes;
		const char *name = verdict_name(level);
		if (sample.lag_ms && exceeds(*sample.lag_ms, max_ms))
			return {level, "replay lag " + format_ms(*sample.lag_ms) + " exceeds the " + name + " threshold " +
			                   format_ms(max_ms)};
		if (exceeds(bytes, max_bytes))
			return {level, "replay lag " + format_bytes(sample.bytes) + " exceeds the " + name + " threshold " +
			                   format_bytes(static_cast<std::uint64_t>(max_bytes))};
	}
	return {Verdict::kOk, lag_text(sample) + " is within the thresholds"};
}

} // namespace

LagJudgement
judge_lag(const LagSample &raw, const LagThresholds &t) {
	LagSample sample = raw;
	if (sample.lag_ms && *sample.lag_ms < 0)
		sample.lag_ms = 0; /* clock skew or nonsense input: never "less than caught up" */
	if (sample.state == "connecting") {
		/* the lag is counted from the last contact with the primary (connecting_staleness_ms): say why */
		LagJudgement judgement = judge_thresholds(sample, t);
		std::string reason = "WAL receiver is \"connecting\" to the primary, not yet streaming";
		if (judgement.verdict != Verdict::kOk)
			reason += "; " + judgement.reason;
		return {judgement.verdict == Verdict::kCritical ? Verdict::kCritical : Verdict::kWarning, reason};
	}
	if (sample.state != "streaming" && t.non_streaming_is_critical)
		return {Verdict::kCritical, "standby is \"" +
		                                std::string(sample.state.empty() ? "disconnected" : sample.state) +
		                                "\", not streaming"};
	return judge_thresholds(sample, t);
}

std::optional<std::int64_t>
effective_time_lag_ms(std::optional<std::int64_t> reported, bool streaming, bool caught_up) noexcept {
	if (reported)
		return *reported < 0 ? 0 : *reported;
	if (streaming && caught_up)
		return 0;
	return std::nullopt;
}

std::optional<std::int64_t>
local_staleness_ms(Lsn receive, Lsn replay, std::optional<std::int64_t> now_us,
                   std::optional<std::int64_t> last_xact_us) noexcept {
	if (receive != kInvalidLsn && replay >= receive)
		return 0;
	if (!now_us || !last_xact_us)
		return std::nullopt;
	if (*last_xact_us >= *now_us)
		return 0; /* clock skew is not negative staleness */
	/* Found by fuzzing: now - last overflows int64 for far-apart timestamps; the unsigned difference cannot. */
	auto delta = static_cast<std::uint64_t>(*now_us) - static_cast<std::uint64_t>(*last_xact_us);
	return static_cast<std::int64_t>(delta / 1000);
}

std::optional<std::int64_t>
connecting_staleness_ms(std::optional<std::int64_t> staleness_ms, std::int64_t now_us,
                        std::optional<std::int64_t> last_contact_us) noexcept {
	if (!last_contact_us)
		return staleness_ms;
	auto silence = local_staleness_ms(kInvalidLsn, kInvalidLsn, now_us, last_contact_us);
	if (!staleness_ms || (silence && *silence > *staleness_ms))
		return silence;
	return staleness_ms;
}

std::optional<Error>
check_freshness(std::optional<std::int64_t> staleness_ms, std::uint64_t unreplayed_bytes, std::int64_t max_ms,
                std::int64_t max_bytes) {
	const char *hint = "Read from the primary, or wait until the standby has replayed more WAL.";
	if (max_ms >= 0 && !staleness_ms)
		return Error(sqlstate::kStalenessExceeded, "standby staleness is unknown",
		             "The standby has not replayed any transaction since it started and has WAL left to replay.", hint);
	if (max_ms >= 0 && *staleness_ms > max_ms)
		return Error(sqlstate::kStalenessExceeded,
		             "standby data is " + format_ms(*staleness_ms) + " stale, more than the allowed " +
		                 format_ms(max_ms),
		             "Unreplayed WAL: " + format_bytes(unreplayed_bytes) + ".", hint);
	if (max_bytes >= 0 && unreplayed_bytes > static_cast<std::uint64_t>(max_bytes))
		return Error(sqlstate::kStalenessExceeded,
		             "standby has " + format_bytes(unreplayed_bytes) + " of WAL not replayed, more than the allowed " +
		                 format_bytes(static_cast<std::uint64_t>(max_bytes)),
		             "Staleness: " + (staleness_ms ? format_ms(*staleness_ms) : std::string("unknown")) + ".", hint);
	return std::nullopt;
}

Result<bool>
validate_pattern(std::string_view pattern) {
	std::vector<PatternItem> items;
	if (pattern.empty())
		return Error(sqlstate::kInvalidParameterValue, "application name pattern must not be empty", {},
		             "Use \"%\" to match every standby.");
	if (!tokenise(pattern, &items))
		return Error(sqlstate::kInvalidParameterValue, "application name pattern must not end with an escape character",
		             {}, "Write \"\\\\\" for a literal backslash.");
	return true;
}

bool
like_match(std::string_view pattern, std::string_view text) {
	std::vector<PatternItem> items;
	if (!tokenise(pattern, &items))
		return false;
	/* Greedy wildcard matching with one backtrack point (the last "%"). */
	std::size_t p = 0, t = 0, star_p = SIZE_MAX, star_t = 0;
	while (t < text.size()) {
		if (p < items.size() && items[p].kind == PatternItem::kAnyRun) {
			star_p = p++;
			star_t = t;
		} else if (p < items.size() && (items[p].kind == PatternItem::kAnyOne || items[p].literal == text[t])) {
			p++;
			t++;
		} else if (star_p != SIZE_MAX) {
			p = star_p + 1;
			t = ++star_t;
		} else {
			return false;
		}
	}
	while (p < items.size() && items[p].kind == PatternItem::kAnyRun)
		p++;
	return p == items.size();
}

std::optional<std::size_t>
most_specific_match(const std::vector<std::string_view> &patterns, std::string_view name) {
	std::optional<std::size_t> best;
	for (std::size_t i = 0; i < patterns.size(); i++) {
		if (!like_match(patterns[i], name))
			continue;
		if (!best || more_specific(patterns[i], patterns[*best]))
			best = i;
	}
	return best;
}

std::string
format_ms(std::int64_t ms) {
	char buf[64];
	if (ms < 1000 && ms > -1000)
		std::snprintf(buf, sizeof buf, "%lld ms", static_cast<long long>(ms));
	else
		std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
	return buf;
}

std::string
format_bytes(std::uint64_t bytes) {
	const char *units[] = {"bytes", "kB", "MB", "GB", "TB"};
	std::size_t unit = 0;
	std::uint64_t value = bytes;
	/* pg_size_pretty's rule: switch unit once the number reaches 10240. */
	while (value >= 10240 && unit + 1 < sizeof units / sizeof units[0]) {
		value /= 1024;
		unit++;
	}
	return std::to_string(value) + " " + units[unit];
}

} // namespace readscale
