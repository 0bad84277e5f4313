/*
 * standby_roster.cpp: see standby_roster.hpp.
 */
#include "core/standby_roster.hpp"

#include <algorithm>
#include <cstring>
#include <map>

namespace readscale {

namespace {

void
copy_name(char (&target)[kStandbyNameSize], std::string_view source) noexcept {
	std::size_t n = std::min(source.size(), kStandbyNameSize - 1);
	std::memcpy(target, source.data(), n);
	target[n] = '\0';
}

bool
same_name(const char (&stored)[kStandbyNameSize], std::string_view name) noexcept {
	return name.size() < kStandbyNameSize && std::string_view(stored) == name;
}

/* Rows of the missing standbys, by name, built source by source. */
class MissingRows {
public:
	explicit MissingRows(const std::vector<ConnectedStandby> &connected) {
		for (const auto &c : connected) {
			connected_names_.push_back(c.name);
			if (!c.slot.empty())
				slots_in_use_.push_back(c.slot);
		}
	}

	bool
	connected(const std::string &name) const {
		return std::find(connected_names_.begin(), connected_names_.end(), name) != connected_names_.end();
	}
	bool
	slot_in_use(const std::string &slot) const {
		return std::find(slots_in_use_.begin(), slots_in_use_.end(), slot) != slots_in_use_.end();
	}

	/* Adds source to the row of name (created if needed), unless name is connected. */
	void
	expect(const std::string &name, const char *source) {
		if (name.empty() || connected(name))
			return;
		MissingStandby &row = rows_[name];
		row.name = name;
		if (row.expected_by.find(source) != std::string::npos)
			return;
		row.expected_by += row.expected_by.empty() ? source : std::string(",") + source;
	}
	void
	use_slot(const std::string &slot) {
		slots_in_use_.push_back(slot);
	}
	void
	expect_slot(const std::string &slot, const char *source) {
		if (slot_in_use(slot))
			return;
		auto owner = slot_owner_.find(slot);
		expect(owner == slot_owner_.end() ? slot : owner->second, source);
	}
	void
	seen(const SeenStandby &s) {
		if (!s.used || connected(s.name))
			return;
		expect(s.name, "seen");
		rows_[s.name].last_seen_us = s.last_seen_us;
		if (s.slot[0] != '\0')
			slot_owner_[s.slot] = s.name;
	}

	std::vector<MissingStandby>
	rows() const {
		std::vector<MissingStandby> out;
		for (const auto &entry : rows_)
			out.push_back(entry.second);
		return out;
	}

private:
	std::vector<std::string> connected_names_;
	std::vector<std::string> slots_in_use_;
	std::map<std::string, std::string> slot_owner_; /* slot -> the missing seen standby that streamed from it */
	std::map<std::string, MissingStandby> rows_;
};

} // namespace

bool
remember_standby(SeenStandby *table, std::size_t capacity, std::string_view name, std::string_view slot,
                 std::int64_t now_us) noexcept {
	SeenStandby *free_entry = nullptr;
	for (std::size_t i = 0; i < capacity; i++) {
		SeenStandby &e = table[i];
		if (e.used && same_name(e.name, name)) {
			copy_name(e.slot, slot);
			e.last_seen_us = std::max(e.last_seen_us, now_us);
			return true;
		}
		if (!e.used && free_entry == nullptr)
			free_entry = &e;
	}
	if (free_entry == nullptr || name.empty() || name.size() >= kStandbyNameSize)
		return false;
	copy_name(free_entry->name, name);
	copy_name(free_entry->slot, slot);
	free_entry->last_seen_us = now_us;
	free_entry->used = true;
	return true;
}

std::size_t
forget_unseen(SeenStandby *table, std::size_t capacity, std::int64_t now_us, std::int64_t forget_after_us) noexcept {
	std::size_t forgotten = 0;
	for (std::size_t i = 0; forget_after_us >= 0 && i < capacity; i++) {
		if (table[i].used && now_us - table[i].last_seen_us > forget_after_us) {
			table[i].used = false;
			forgotten++;
		}
	}
	return forgotten;
}

bool
forget_standby(SeenStandby *table, std::size_t capacity, std::string_view name) noexcept {
	for (std::size_t i = 0; i < capacity; i++) {
		if (table[i].used && same_name(table[i].name, name)) {
			table[i].used = false;
			return true;
		}
	}
	return false;
}

std::vector<MissingStandby>
missing_standbys(const ExpectedSources &sources) {
	MissingRows rows(sources.connected);
	for (const auto &s : sources.seen)
		rows.seen(s);
	for (const auto &slot : sources.slots)
		if (slot.active)
			rows.use_slot(slot.name);
	for (const auto &slot : sources.slots)
		if (!slot.active)
			rows.expect_slot(slot.name, "slot");
	for (const auto &slot : sources.synchronized_slots)
		rows.expect_slot(slot, "synchronized_standby_slots");
	for (const auto &name : sources.synchronous_names)
		rows.expect(name, "synchronous_standby_names");
	for (const auto &name : sources.policy_names)
		rows.expect(name, "lag_policy");
	return rows.rows();
}

LagJudgement
judge_missing(const MissingStandby &missing, bool disconnected_is_critical) {
	std::string by = missing.expected_by;
	for (std::size_t comma = by.find(','); comma != std::string::npos; comma = by.find(',', comma + 2))
		by.replace(comma, 1, ", ");
	return {disconnected_is_critical ? Verdict::kCritical : Verdict::kWarning,
	        "expected standby is not connected (expected by " + by + ")"};
}

std::optional<std::string>
exact_pattern_name(std::string_view pattern) {
	std::string name;
	for (std::size_t i = 0; i < pattern.size(); i++) {
		char c = pattern[i];
		if (c == '%' || c == '_')
			return std::nullopt;
		if (c == '\\') {
			if (++i == pattern.size())
				return std::nullopt; /* a lone escape: not a valid pattern */
			c = pattern[i];
		}
		name += c;
	}
	if (name.empty())
		return std::nullopt;
	return name;
}

} // namespace readscale
