package domain

// OrEnglish is l when Whisper speaks it, else English: the language to
// write in to someone whose language is unknown or not one of ours.
func (l Language) OrEnglish() Language {
	if l == Welsh {
		return Welsh
	}
	return English
}
