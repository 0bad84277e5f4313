#include "common/cpp_only.hpp"
#include "core/gate_route.hpp"

namespace readscale {

MinLsnRoute
route_min_lsn(const MinLsnChange &change) noexcept {
	switch (change.source) {
	case MinLsnSource::Test:
		return MinLsnRoute::Accept;
	case MinLsnSource::Other:
		return MinLsnRoute::VerifyNow;
	case MinLsnSource::Session:
		break;
	}
	if (!change.snapshot_active || change.value <= change.current || !change.in_recovery)
		return MinLsnRoute::Accept;
	if (change.value <= change.snapshot_floor)
		return MinLsnRoute::AcceptAtFloor;
	return MinLsnRoute::Refuse;
}

} // namespace readscale
