package graphsim

import (
	"fmt"
	"time"
)

var fbSeedKinds = []struct {
	kind   string
	weight int
}{{fbPhoto, 35}, {fbAlbum, 15}, {fbVideo, 20}, {fbLink, 15}, {fbText, 15}}

var igSeedKinds = []struct {
	kind   string
	weight int
}{{igImage, 35}, {igCarousel, 25}, {igReel, 30}, {igStory, 10}}

// seedHours are posting hours (WIB) weighted towards office hours.
var seedHours = []int{7, 8, 9, 9, 10, 10, 11, 12, 13, 14, 15, 16, 17, 19, 19, 20, 21}

var seedTopics = []string{
	"Sosialisasi tahapan pemilihan", "Pemutakhiran data pemilih", "Rapat pleno terbuka", "Layanan informasi publik",
	"Pendidikan pemilih untuk pemula", "Rekrutmen badan ad hoc", "Hari jadi", "Kegiatan bersama masyarakat",
	"Pengumuman hasil seleksi", "Kuis: seberapa paham kamu tahapan pemilu?",
}

// SeedHistory fills an account (Page or IG user) with posts from the past
// `days` days, postsPerDay a day, of every content type at varied hours; their
// audience figures follow the audience model. Deterministic for a Seed and clock.
func (s *Sim) SeedHistory(objectID string, days, postsPerDay int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	pg, isPage := s.pages[objectID]
	ig, isIG := s.igs[objectID]
	if !isPage && !isIG {
		return fmt.Errorf("graphsim: no account %s", objectID)
	}
	n := 0
	for d := days; d >= 1; d-- {
		day := now.In(jakarta).AddDate(0, 0, -d)
		base := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, jakarta)
		for k := 0; k < postsPerDay; k++ {
			n++
			at := base.Add(time.Duration(seedHours[s.rng.IntN(len(seedHours))])*time.Hour + time.Duration(s.rng.IntN(60))*time.Minute)
			topic := seedTopics[s.rng.IntN(len(seedTopics))]
			text := fmt.Sprintf("%s (%s) #%d", topic, at.Format("02/01/2006"), n)
			if isPage {
				s.seedPost(pg, pick(s, fbSeedKinds), text, at)
			} else {
				s.seedMedia(ig, pick(s, igSeedKinds), text, at)
			}
		}
	}
	return nil
}

func pick(s *Sim, kinds []struct {
	kind   string
	weight int
}) string {
	total := 0
	for _, k := range kinds {
		total += k.weight
	}
	x := s.rng.IntN(total)
	for _, k := range kinds {
		if x < k.weight {
			return k.kind
		}
		x -= k.weight
	}
	return kinds[0].kind
}

func (s *Sim) seedPost(pg *page, kind, text string, at time.Time) {
	p := s.newPost(pg, kind, text, "", at)
	switch kind {
	case fbLink:
		p.link = "https://kpu.go.id/berita/" + p.id
	case fbPhoto, fbAlbum:
		n := 1
		if kind == fbAlbum {
			n = 2 + s.rng.IntN(4)
		}
		for i := 0; i < n; i++ {
			ph := &photo{id: s.newID(), pageID: pg.id, url: "https://cdn.example.org/humas/" + p.id + fmt.Sprintf("_%d.jpg", i),
				published: true, created: at, postID: p.id}
			s.photos[ph.id] = ph
			s.objects[ph.id] = object{kind: kPhoto, owner: pg.id}
			p.photoIDs = append(p.photoIDs, ph.id)
		}
	case fbVideo:
		v := &video{id: s.newID(), pageID: pg.id, description: text, created: at.Add(-s.opt.FBVideoReadyDelay), postID: p.id}
		s.videos[v.id] = v
		s.objects[v.id] = object{kind: kVideo, owner: pg.id}
		p.videoID = v.id
	}
}

func (s *Sim) seedMedia(ig *igAccount, kind, text string, at time.Time) {
	m := &media{id: s.newID(), igID: ig.id, caption: text, kind: kind, created: at,
		followers: followersAt(ig.followers0, ig.since, at)}
	m.hideLikes = s.unit(m.id, 9) < 0.05
	switch kind {
	case igImage:
		m.mediaType, m.productType = "IMAGE", "FEED"
	case igReel:
		m.mediaType, m.productType = "VIDEO", "REELS"
	case igStory:
		m.mediaType, m.productType, m.caption = "IMAGE", "STORY", ""
	case igCarousel:
		m.mediaType, m.productType = "CAROUSEL_ALBUM", "FEED"
		for i := 0; i < 2+s.rng.IntN(4); i++ {
			cm := &media{id: s.newID(), igID: ig.id, kind: igItem, mediaType: "IMAGE", productType: "FEED", created: at}
			s.media[cm.id] = cm
			s.objects[cm.id] = object{kind: kMedia, owner: ig.id}
			m.children = append(m.children, cm.id)
		}
	}
	s.addMedia(ig, m)
}
