package collector

import (
	"fmt"
	"time"

	"github.com/humas-id/humas/config"
)

// band is an age range [From, To) of posts collected every Every.
type band struct {
	From, To, Every time.Duration
}

// cadence is the configured schedule of collection by post age.
type cadence struct {
	bands []band
}

func newCadence(steps []config.CadenceStep) (cadence, error) {
	if len(steps) == 0 {
		return cadence{}, fmt.Errorf("collector.cadence is empty: give at least one {up_to, every} step, " +
			"e.g. up_to: 24h, every: 1h / jadwal koleksi kosong")
	}
	var c cadence
	var from time.Duration
	for i, s := range steps {
		to, every := s.UpTo.D(), s.Every.D()
		if to <= from || every <= 0 {
			return cadence{}, fmt.Errorf("collector.cadence[%d]: up_to (%s) must grow step by step and every (%s) must be positive", i, to, every)
		}
		c.bands = append(c.bands, band{From: from, To: to, Every: every})
		from = to
	}
	return c, nil
}

// maxAge is the age after which a post is no longer collected.
func (c cadence) maxAge() time.Duration { return c.bands[len(c.bands)-1].To }

// slot is the collection slot of a post of the given age collected at now:
// now truncated to the step of the post's band. Posts older than the
// cadence (collected on request with --since) take the last step.
func (c cadence) slot(now time.Time, age time.Duration) time.Time {
	every := c.bands[len(c.bands)-1].Every
	for _, b := range c.bands {
		if age < b.To {
			every = b.Every
			break
		}
	}
	return now.UTC().Truncate(every)
}

// ageRange is a range of post ages [Lo, Hi) to list.
type ageRange struct{ Lo, Hi time.Duration }

// due returns the age ranges whose slot changed since last (nil: never
// collected, everything is due), merged where they touch.
func (c cadence) due(now time.Time, last *time.Time) []ageRange {
	var out []ageRange
	for _, b := range c.bands {
		if last != nil && now.UTC().Truncate(b.Every).Equal(last.UTC().Truncate(b.Every)) {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Hi == b.From {
			out[n-1].Hi = b.To
			continue
		}
		out = append(out, ageRange{Lo: b.From, Hi: b.To})
	}
	return out
}
