package inbox

import "testing"

func TestIsQuestion(t *testing.T) {
	for msg, want := range map[string]bool{
		"Kapan batas akhir pendaftaran pemilih pemula?": true,
		"kapan pleno diumumkan":                         true,
		"Mohon info syarat pindah memilih":              true,
		"@kpu apakah DPT sudah final":                   true,
		"Terima kasih infonya, sangat membantu.":        false,
		"Apalagi kalau ada sosialisasi di desa":         false, // "apa" inside a longer word
		"Semangat!":                                     false,
		"":                                              false,
	} {
		if got := IsQuestion(msg); got != want {
			t.Errorf("IsQuestion(%q) = %v, want %v", msg, got, want)
		}
	}
}
