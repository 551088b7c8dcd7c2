package review

import "k8s.io/utils/clock"

// SetClock replaces the clock that stamps selfsubjectreviews.
func (r *SelfSubjectReviewREST) SetClock(c clock.PassiveClock) { r.clock = c }
