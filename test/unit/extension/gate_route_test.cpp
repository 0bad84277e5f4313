#include "core/gate_route.hpp"

#include <gtest/gtest.h>

using namespace readscale;

namespace {

/* A session SET raising the bar on a standby while a statement's snapshot is in use. */
MinLsnChange
raise_during_statement() {
	MinLsnChange change;
	change.source = MinLsnSource::Session;
	change.value = 2000;
	change.current = 1000;
	change.snapshot_floor = 1500;
	change.snapshot_active = true;
	change.in_recovery = true;
	return change;
}

} // namespace

TEST(GateRoute, RefusesARaiseAboveTheFloorUnderARunningSnapshot) {
	EXPECT_EQ(route_min_lsn(raise_during_statement()), MinLsnRoute::Refuse);
}

TEST(GateRoute, AcceptsAtOrBelowTheSnapshotFloor) {
	MinLsnChange change = raise_during_statement();
	change.snapshot_floor = change.value;
	EXPECT_EQ(route_min_lsn(change), MinLsnRoute::AcceptAtFloor);
	change.snapshot_floor = change.value - 1;
	EXPECT_EQ(route_min_lsn(change), MinLsnRoute::Refuse);
}

TEST(GateRoute, SessionChangesThatCannotMakeASnapshotStale) {
	MinLsnChange no_snapshot = raise_during_statement();
	no_snapshot.snapshot_active = false; /* plain SET: it waits in ProcessUtility */
	EXPECT_EQ(route_min_lsn(no_snapshot), MinLsnRoute::Accept);

	MinLsnChange primary = raise_during_statement();
	primary.in_recovery = false; /* a primary's snapshots see all its commits */
	EXPECT_EQ(route_min_lsn(primary), MinLsnRoute::Accept);

	MinLsnChange lowering = raise_during_statement();
	lowering.value = lowering.current; /* not raising the bar */
	EXPECT_EQ(route_min_lsn(lowering), MinLsnRoute::Accept);
	lowering.value = lowering.current - 1;
	EXPECT_EQ(route_min_lsn(lowering), MinLsnRoute::Accept);
}

TEST(GateRoute, ConnectionStartSettingsAreVerifiedNow) {
	MinLsnChange change = raise_during_statement();
	change.source = MinLsnSource::Other;
	EXPECT_EQ(route_min_lsn(change), MinLsnRoute::VerifyNow);
	change.snapshot_active = false;
	change.in_recovery = false;
	EXPECT_EQ(route_min_lsn(change), MinLsnRoute::VerifyNow);
}

TEST(GateRoute, ValidationOnlyNeverRefuses) {
	MinLsnChange change = raise_during_statement();
	change.source = MinLsnSource::Test; /* e.g. ALTER ROLE ... SET checking the value */
	EXPECT_EQ(route_min_lsn(change), MinLsnRoute::Accept);
}
