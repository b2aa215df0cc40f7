package scheduler

import (
	"time"

	"github.com/humas-id/humas/config"
)

// PublishTimings say how the publisher waits on Meta; zero values take
// the defaults of config.Default().Scheduler or those noted.
type PublishTimings struct {
	// VideoDeadline and ImageDeadline bound how long an Instagram
	// container or a Facebook video may stay in processing (from its
	// creation) before the delivery fails (defaults 15 min and 5 min).
	VideoDeadline, ImageDeadline time.Duration
	// PolicyPause is how long a channel is paused after a posting-rate
	// block (code 368) (default 6 h).
	PolicyPause time.Duration
	// QuotaRecheck is how often a delivery held by Instagram's publishing
	// limit asks again (default 30 min).
	QuotaRecheck time.Duration
	// FetchRetries is how many times a container creation Meta could not
	// fetch the media for (9004/2207052) is tried again, FetchBackoff
	// apart (doubling) (defaults 3 and 5 s).
	FetchRetries int
	FetchBackoff time.Duration
	// MaxContainers is how many Instagram containers one delivery may
	// use (expired ones are replaced up to this; default 3).
	MaxContainers int
}

// withDefaults fills zero timings.
func (t PublishTimings) withDefaults() PublishTimings {
	d := config.Default().Scheduler
	def := func(v *time.Duration, x time.Duration) {
		if *v <= 0 {
			*v = x
		}
	}
	def(&t.VideoDeadline, d.VideoReadyDeadline.D())
	def(&t.ImageDeadline, d.ImageReadyDeadline.D())
	def(&t.PolicyPause, d.PolicyBlockPause.D())
	def(&t.QuotaRecheck, 30*time.Minute)
	def(&t.FetchBackoff, 5*time.Second)
	if t.FetchRetries == 0 {
		t.FetchRetries = 3
	}
	if t.FetchRetries < 0 {
		t.FetchRetries = 0
	}
	if t.MaxContainers <= 0 {
		t.MaxContainers = 3
	}
	return t
}

// timingsFromConfig maps the scheduler section's waiting settings.
func timingsFromConfig(c config.Scheduler) PublishTimings {
	return PublishTimings{VideoDeadline: c.VideoReadyDeadline.D(), ImageDeadline: c.ImageReadyDeadline.D(),
		PolicyPause: c.PolicyBlockPause.D()}
}
