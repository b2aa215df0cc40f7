package graphsim

import "time"

type objKind int

const (
	kPage objKind = iota + 1
	kIG
	kPost
	kPhoto
	kVideo
	kContainer
	kMedia
)

// object records what an id is and which Page or IG account owns it.
type object struct {
	kind  objKind
	owner string // page id or ig user id
}

type token struct {
	value     string
	pageID    string
	perms     map[string]bool
	issuedAt  time.Time
	expiresAt time.Time // zero: never
}

type page struct {
	id, name   string
	followers0 float64 // followers at registration
	since      time.Time
	igID       string
	posts      []*post // in creation order
}

type igAccount struct {
	id, username string
	pageID       string
	followers0   float64
	since        time.Time
	media        []*media
	publishes    []time.Time // media_publish successes, for the quota
}

// FB post kinds (the simulator's content types).
const (
	fbText  = "text"
	fbLink  = "link"
	fbPhoto = "photo"
	fbAlbum = "album"
	fbVideo = "video"
)

type post struct {
	id, pageID    string
	message, link string
	kind          string
	created       time.Time // publish time (the scheduled time for scheduled posts)
	scheduled     bool
	photoIDs      []string
	videoID       string
	followers     float64 // account followers at publish
	unpublished   bool
}

type photo struct {
	id, pageID string
	url        string
	published  bool
	created    time.Time
	postID     string
}

type video struct {
	id, pageID         string
	title, description string
	created            time.Time // upload time: processing starts here
	postID             string
}

// IG kinds (the simulator's content types).
const (
	igImage    = "image"
	igReel     = "reel"
	igCarousel = "carousel"
	igStory    = "story"
	igItem     = "item"
)

type container struct {
	id, igID  string
	kind      string
	imageURL  string
	videoURL  string
	caption   string
	children  []string
	created   time.Time
	readyAt   time.Time
	failed    bool
	failCode  int
	mediaID   string
	published time.Time
}

type media struct {
	id, igID    string
	caption     string
	kind        string // image, reel, carousel, story
	mediaType   string // IMAGE, VIDEO, CAROUSEL_ALBUM
	productType string // FEED, REELS, STORY
	created     time.Time
	children    []string
	followers   float64
	hideLikes   bool
}
