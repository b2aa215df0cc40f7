package inbox

import (
	"strings"
	"unicode"
)

// questionWords open a question in Bahasa Indonesia (and a few requests
// for information that carry no question mark).
var questionWords = []string{
	"apa", "apakah", "bagaimana", "gimana", "kapan", "dimana", "di mana", "kemana", "ke mana", "siapa", "berapa",
	"mengapa", "kenapa", "bisakah", "bolehkah", "mohon info", "minta info", "tolong info", "mau tanya", "izin bertanya",
	"numpang tanya", "how", "what", "when", "where", "why",
}

// IsQuestion reports whether a comment reads as a question: it has a
// question mark, or it opens with a question word or a request for
// information.
func IsQuestion(msg string) bool {
	m := strings.ToLower(strings.TrimSpace(msg))
	if strings.Contains(m, "?") {
		return true
	}
	// Leading mentions ("@kpu apakah ...") do not count.
	for strings.HasPrefix(m, "@") {
		_, rest, ok := strings.Cut(m, " ")
		if !ok {
			return false
		}
		m = strings.TrimSpace(rest)
	}
	m = strings.TrimLeftFunc(m, func(r rune) bool { return !unicode.IsLetter(r) })
	for _, w := range questionWords {
		if strings.HasPrefix(m, w) && (len(m) == len(w) || !unicode.IsLetter(rune(m[len(w)]))) {
			return true
		}
	}
	return false
}
