#include "core/causal_token.hpp"

#include "common/sqlstate.hpp"

namespace readscale {

namespace {

constexpr std::string_view kPrefix = "rs1:";

bool
parse_decimal(std::string_view digits, std::uint64_t max, std::uint64_t *out) {
	if (digits.empty() || digits.size() > 20)
		return false;
	std::uint64_t value = 0;
	for (char c : digits) {
		if (c < '0' || c > '9')
			return false;
		auto digit = static_cast<std::uint64_t>(c - '0');
		if (value > (max - digit) / 10)
			return false;
		value = value * 10 + digit;
	}
	*out = value;
	return true;
}

Error
malformed(std::string_view text) {
	/* current_token()'s pg_lsn carries no cluster or timeline to check: name the function that takes it. */
	if (parse_lsn(text).ok())
		return Error(sqlstate::kInvalidTextRepresentation, "invalid causal token: \"" + std::string(text) + "\"",
		             "A plain LSN, as readscale.current_token() returns, is not a causal token.",
		             "Wait for an LSN with readscale.wait_for_lsn(), or take a token with "
		             "readscale.current_causal_token().");
	return Error(sqlstate::kInvalidTextRepresentation, "invalid causal token: \"" + std::string(text) + "\"",
	             "A causal token looks like \"rs1:7312345678901234567:1:0/3000060\".",
	             "Pass the text returned by readscale.current_causal_token() unchanged.");
}

Error
not_applicable(const CausalToken &token, const std::string &detail, bool zero_pad) {
	return Error(sqlstate::kTokenNotApplicable,
	             "causal token for LSN " + format_lsn(token.lsn, zero_pad) + " on timeline " +
	                 std::to_string(token.timeline) + " does not apply to this server",
	             detail, "Read from the current primary and take a new token there.");
}

} // namespace

std::string
format_causal_token(const CausalToken &token, bool zero_pad) {
	return std::string(kPrefix) + std::to_string(token.system_identifier) + ":" + std::to_string(token.timeline) + ":" +
	       format_lsn(token.lsn, zero_pad);
}

Result<CausalToken>
parse_causal_token(std::string_view text) {
	if (text.substr(0, kPrefix.size()) != kPrefix)
		return malformed(text);
	std::string_view rest = text.substr(kPrefix.size());
	auto first = rest.find(':');
	auto second = first == std::string_view::npos ? first : rest.find(':', first + 1);
	if (second == std::string_view::npos)
		return malformed(text);
	CausalToken token;
	std::uint64_t timeline = 0;
	if (!parse_decimal(rest.substr(0, first), UINT64_MAX, &token.system_identifier) ||
	    !parse_decimal(rest.substr(first + 1, second - first - 1), UINT32_MAX, &timeline) || timeline == 0)
		return malformed(text);
	token.timeline = static_cast<std::uint32_t>(timeline);
	auto lsn = parse_lsn(rest.substr(second + 1));
	if (!lsn.ok())
		return malformed(text);
	token.lsn = lsn.value();
	return token;
}

std::optional<Error>
check_token_applies(const CausalToken &token, std::uint64_t system_identifier, std::uint32_t current_timeline,
                    const TimelineSwitch *history, std::size_t history_length, bool can_follow, bool zero_pad) {
	if (token.system_identifier != system_identifier)
		return not_applicable(token,
		                      "The token was taken on another cluster (system identifier " +
		                          std::to_string(token.system_identifier) + ", this server has " +
		                          std::to_string(system_identifier) + ").",
		                      zero_pad);
	if (token.timeline == current_timeline || (token.timeline > current_timeline && can_follow))
		return std::nullopt;
	if (token.timeline > current_timeline)
		return not_applicable(token,
		                      "The token's timeline is newer than this server's timeline " +
		                          std::to_string(current_timeline) + ".",
		                      zero_pad);
	for (std::size_t i = 0; i < history_length; ++i) {
		if (history[i].timeline != token.timeline)
			continue;
		if (token.lsn > history[i].switch_point)
			return not_applicable(token,
			                      "This server's history left timeline " + std::to_string(token.timeline) + " at " +
			                          format_lsn(history[i].switch_point, zero_pad) +
			                          "; the write may have been lost in a failover.",
			                      zero_pad);
		return std::nullopt;
	}
	return not_applicable(
	    token, "Timeline " + std::to_string(token.timeline) + " is not in this server's timeline history.", zero_pad);
}

} // namespace readscale
