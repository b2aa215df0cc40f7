package graphsim

import (
	"hash/fnv"
	"math"
	"time"
)

// The audience model: a deterministic function of (seed, post id, content
// kind, publish hour in Asia/Jakarta, weekday, platform, followers at
// publish, age). Reach saturates over about three days; interactions are
// reach times a rate that depends on kind and hour; views exceed reach.

var jakarta = time.FixedZone("WIB", 7*3600)

// kindProfile is the reach (share of followers) and interaction rate (of reach) of a kind.
type kindProfile struct{ reach, rate, viewsMul float64 }

var profiles = map[string]kindProfile{
	// Facebook: video > album > photo > text > link.
	fbText:  {reach: 0.08, rate: 0.020, viewsMul: 1.2},
	fbLink:  {reach: 0.07, rate: 0.012, viewsMul: 1.1},
	fbPhoto: {reach: 0.12, rate: 0.040, viewsMul: 1.4},
	fbAlbum: {reach: 0.13, rate: 0.045, viewsMul: 1.8},
	fbVideo: {reach: 0.16, rate: 0.055, viewsMul: 2.4},
	// Instagram: carousel > reel > image > story.
	igImage:    {reach: 0.25, rate: 0.035, viewsMul: 1.3},
	igCarousel: {reach: 0.30, rate: 0.060, viewsMul: 2.2},
	igReel:     {reach: 0.45, rate: 0.045, viewsMul: 2.6},
	igStory:    {reach: 0.12, rate: 0.015, viewsMul: 1.1},
}

// hourFactor favours evenings (WIB) and penalises the night.
func hourFactor(h int) float64 {
	switch {
	case h < 6:
		return 0.55
	case h < 9:
		return 0.9
	case h < 12:
		return 1.0
	case h < 14:
		return 1.1
	case h < 18:
		return 0.95
	case h < 22:
		return 1.35
	default:
		return 0.8
	}
}

// unit returns the k-th deterministic uniform in [0,1) for a key.
func (s *Sim) unit(key string, k int) float64 {
	h := fnv.New64a()
	var b [9]byte
	for i := 0; i < 8; i++ {
		b[i] = byte(uint64(s.opt.Seed) >> (8 * i))
	}
	b[8] = byte(k)
	h.Write(b[:])
	h.Write([]byte(key))
	x := h.Sum64()
	// splitmix64 finaliser
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return float64(x>>11) / float64(1<<53)
}

// figures are a post's audience numbers at some age.
type figures struct {
	reach, views, clicks int64
	interactions         float64
	// Facebook
	reactions map[string]int64
	comments  int64
	shares    int64
	// Instagram
	likes, saved, replies int64
}

func (f figures) reactionTotal() int64 {
	var n int64
	for _, v := range f.reactions {
		n += v
	}
	return n
}

var reactionShares = []struct {
	name  string
	share float64
}{{"like", 0.72}, {"love", 0.16}, {"wow", 0.04}, {"haha", 0.04}, {"sorry", 0.03}, {"anger", 0.01}}

// audience computes the figures of a post published at `at` by an account
// with `followers`, seen at now.
func (s *Sim) audience(id, kind string, at time.Time, followers float64, now time.Time) figures {
	age := now.Sub(at).Hours()
	if age <= 0 {
		return figures{reactions: map[string]int64{}}
	}
	p := profiles[kind]
	local := at.In(jakarta)
	hf := hourFactor(local.Hour())
	wf := 1.0
	if wd := local.Weekday(); wd == time.Saturday || wd == time.Sunday {
		wf = 0.9
	}
	noise := math.Exp((s.unit(id, 1) - 0.5) * 0.8)
	growth := 1 - math.Exp(-age/16)
	reachF := followers * p.reach * hf * wf * noise * growth
	rate := p.rate * (0.8 + 0.2*hf) * (0.75 + 0.5*s.unit(id, 2))
	inter := reachF * rate
	f := figures{
		reach:        int64(reachF),
		views:        int64(reachF * p.viewsMul * (1 + 0.3*s.unit(id, 3))),
		clicks:       int64(reachF * 0.02 * (0.5 + s.unit(id, 4))),
		interactions: inter,
		reactions:    map[string]int64{},
	}
	if f.views < f.reach {
		f.views = f.reach
	}
	switch kind {
	case fbText, fbLink, fbPhoto, fbAlbum, fbVideo:
		react := inter * 0.70
		for _, r := range reactionShares {
			f.reactions[r.name] = int64(react * r.share)
		}
		f.comments = int64(inter * 0.18)
		f.shares = int64(inter * 0.12)
	case igStory:
		f.shares = int64(inter * 0.4)
		f.replies = int64(inter * 0.6)
	default:
		f.likes = int64(inter * 0.72)
		f.comments = int64(inter * 0.08)
		f.shares = int64(inter * 0.07)
		f.saved = int64(inter * 0.13)
	}
	return f
}

// followersAt is an account's follower count at t: slow exponential growth
// (about 2.4% a month) through the registration point.
func followersAt(f0 float64, since, t time.Time) float64 {
	days := t.Sub(since).Hours() / 24
	return f0 * math.Exp(0.0008*days)
}

func fnvHash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}
