package date

import (
	"slices"
	"strings"
)

// localeTexts are the month and day names of one language. Each list holds
// every form accepted for a value: the full name first, then
// abbreviations. Where CLDR (Java 9 and later, what Logstash 8 runs on) and
// the older JRE data differ (German "Okt." and "Okt", Polish and Russian
// genitive and nominative month names), both are listed.
type localeTexts struct {
	// english adds Joda's "BCE" and "CE" to the eras.
	english bool
	months  [12][]string
	days    [7][]string // Monday first
	halfday [2][]string // AM, PM
}

// locales returns the supported languages, by ISO 639 code. It is called
// when a filter is configured, never per event.
func locales() map[string]*localeTexts {
	return map[string]*localeTexts{
		"en": {
			english: true,
			months: [12][]string{{"January", "Jan"}, {"February", "Feb"}, {"March", "Mar"}, {"April", "Apr"},
				{"May"}, {"June", "Jun"}, {"July", "Jul"}, {"August", "Aug"}, {"September", "Sep"},
				{"October", "Oct"}, {"November", "Nov"}, {"December", "Dec"}},
			days: [7][]string{{"Monday", "Mon"}, {"Tuesday", "Tue"}, {"Wednesday", "Wed"}, {"Thursday", "Thu"},
				{"Friday", "Fri"}, {"Saturday", "Sat"}, {"Sunday", "Sun"}},
			halfday: [2][]string{{"AM"}, {"PM"}},
		},
		"de": {
			months: [12][]string{{"Januar", "Jan.", "Jan"}, {"Februar", "Feb.", "Feb"}, {"März", "Mär", "Mrz"},
				{"April", "Apr.", "Apr"}, {"Mai"}, {"Juni", "Jun"}, {"Juli", "Jul"}, {"August", "Aug.", "Aug"},
				{"September", "Sept.", "Sep.", "Sept", "Sep"}, {"Oktober", "Okt.", "Okt"}, {"November", "Nov.", "Nov"},
				{"Dezember", "Dez.", "Dez"}},
			days: [7][]string{{"Montag", "Mo.", "Mo"}, {"Dienstag", "Di.", "Di"}, {"Mittwoch", "Mi.", "Mi"},
				{"Donnerstag", "Do.", "Do"}, {"Freitag", "Fr.", "Fr"}, {"Samstag", "Sa.", "Sa"}, {"Sonntag", "So.", "So"}},
			halfday: [2][]string{{"AM", "vorm."}, {"PM", "nachm."}},
		},
		"fr": {
			months: [12][]string{{"janvier", "janv.", "janv"}, {"février", "févr.", "févr", "fév"}, {"mars"},
				{"avril", "avr.", "avr"}, {"mai"}, {"juin"}, {"juillet", "juil.", "juil"}, {"août"},
				{"septembre", "sept.", "sept"}, {"octobre", "oct.", "oct"}, {"novembre", "nov.", "nov"},
				{"décembre", "déc.", "déc"}},
			days: [7][]string{{"lundi", "lun.", "lun"}, {"mardi", "mar.", "mar"}, {"mercredi", "mer.", "mer"},
				{"jeudi", "jeu.", "jeu"}, {"vendredi", "ven.", "ven"}, {"samedi", "sam.", "sam"}, {"dimanche", "dim.", "dim"}},
			halfday: [2][]string{{"AM"}, {"PM"}},
		},
		"es": {
			months: [12][]string{{"enero", "ene.", "ene"}, {"febrero", "feb.", "feb"}, {"marzo", "mar.", "mar"},
				{"abril", "abr.", "abr"}, {"mayo", "may.", "may"}, {"junio", "jun.", "jun"}, {"julio", "jul.", "jul"},
				{"agosto", "ago.", "ago"}, {"septiembre", "sept.", "sep.", "sept", "sep"}, {"octubre", "oct.", "oct"},
				{"noviembre", "nov.", "nov"}, {"diciembre", "dic.", "dic"}},
			days: [7][]string{{"lunes", "lun.", "lun"}, {"martes", "mar.", "mar"}, {"miércoles", "mié.", "mié"},
				{"jueves", "jue.", "jue"}, {"viernes", "vie.", "vie"}, {"sábado", "sáb.", "sáb"}, {"domingo", "dom.", "dom"}},
			halfday: [2][]string{{"a. m.", "a.\u00a0m.", "a.m.", "AM"}, {"p. m.", "p.\u00a0m.", "p.m.", "PM"}},
		},
		"it": {
			months: [12][]string{{"gennaio", "gen"}, {"febbraio", "feb"}, {"marzo", "mar"}, {"aprile", "apr"},
				{"maggio", "mag"}, {"giugno", "giu"}, {"luglio", "lug"}, {"agosto", "ago"}, {"settembre", "set"},
				{"ottobre", "ott"}, {"novembre", "nov"}, {"dicembre", "dic"}},
			days: [7][]string{{"lunedì", "lun"}, {"martedì", "mar"}, {"mercoledì", "mer"}, {"giovedì", "gio"},
				{"venerdì", "ven"}, {"sabato", "sab"}, {"domenica", "dom"}},
			halfday: [2][]string{{"AM", "m."}, {"PM", "p."}},
		},
		"pt": {
			months: [12][]string{{"janeiro", "jan.", "jan"}, {"fevereiro", "fev.", "fev"}, {"março", "mar.", "mar"},
				{"abril", "abr.", "abr"}, {"maio", "mai.", "mai"}, {"junho", "jun.", "jun"}, {"julho", "jul.", "jul"},
				{"agosto", "ago.", "ago"}, {"setembro", "set.", "set"}, {"outubro", "out.", "out"},
				{"novembro", "nov.", "nov"}, {"dezembro", "dez.", "dez"}},
			days: [7][]string{{"segunda-feira", "seg.", "seg"}, {"terça-feira", "ter.", "ter"}, {"quarta-feira", "qua.", "qua"},
				{"quinta-feira", "qui.", "qui"}, {"sexta-feira", "sex.", "sex"}, {"sábado", "sáb.", "sáb"}, {"domingo", "dom.", "dom"}},
			halfday: [2][]string{{"AM"}, {"PM"}},
		},
		"nl": {
			months: [12][]string{{"januari", "jan.", "jan"}, {"februari", "feb.", "feb"}, {"maart", "mrt.", "mrt"},
				{"april", "apr.", "apr"}, {"mei"}, {"juni", "jun.", "jun"}, {"juli", "jul.", "jul"},
				{"augustus", "aug.", "aug"}, {"september", "sep.", "sept.", "sep", "sept"}, {"oktober", "okt.", "okt"},
				{"november", "nov.", "nov"}, {"december", "dec.", "dec"}},
			days: [7][]string{{"maandag", "ma.", "ma"}, {"dinsdag", "di.", "di"}, {"woensdag", "wo.", "wo"},
				{"donderdag", "do.", "do"}, {"vrijdag", "vr.", "vr"}, {"zaterdag", "za.", "za"}, {"zondag", "zo.", "zo"}},
			halfday: [2][]string{{"a.m.", "AM"}, {"p.m.", "PM"}},
		},
		"sv": {
			months: [12][]string{{"januari", "jan.", "jan"}, {"februari", "feb.", "feb"}, {"mars", "mar"},
				{"april", "apr.", "apr"}, {"maj"}, {"juni", "jun"}, {"juli", "jul"}, {"augusti", "aug.", "aug"},
				{"september", "sep.", "sep"}, {"oktober", "okt.", "okt"}, {"november", "nov.", "nov"},
				{"december", "dec.", "dec"}},
			days: [7][]string{{"måndag", "mån", "må"}, {"tisdag", "tis", "ti"}, {"onsdag", "ons", "on"},
				{"torsdag", "tors", "tor", "to"}, {"fredag", "fre", "fr"}, {"lördag", "lör", "lö"}, {"söndag", "sön", "sö"}},
			halfday: [2][]string{{"fm", "f.m.", "AM"}, {"em", "e.m.", "PM"}},
		},
		"da": {
			months: [12][]string{{"januar", "jan.", "jan"}, {"februar", "feb.", "feb"}, {"marts", "mar.", "mar"},
				{"april", "apr.", "apr"}, {"maj"}, {"juni", "jun.", "jun"}, {"juli", "jul.", "jul"},
				{"august", "aug.", "aug"}, {"september", "sep.", "sep"}, {"oktober", "okt.", "okt"},
				{"november", "nov.", "nov"}, {"december", "dec.", "dec"}},
			days: [7][]string{{"mandag", "man.", "man"}, {"tirsdag", "tirs.", "tir", "tirs"}, {"onsdag", "ons.", "ons"},
				{"torsdag", "tors.", "tor", "tors"}, {"fredag", "fre.", "fre"}, {"lørdag", "lør.", "lør"}, {"søndag", "søn.", "søn"}},
			halfday: [2][]string{{"AM"}, {"PM"}},
		},
		"no": {
			months: [12][]string{{"januar", "jan.", "jan"}, {"februar", "feb.", "feb"}, {"mars", "mar.", "mar"},
				{"april", "apr.", "apr"}, {"mai"}, {"juni", "jun.", "jun"}, {"juli", "jul.", "jul"},
				{"august", "aug.", "aug"}, {"september", "sep.", "sep"}, {"oktober", "okt.", "okt"},
				{"november", "nov.", "nov"}, {"desember", "des.", "des"}},
			days: [7][]string{{"mandag", "man.", "man"}, {"tirsdag", "tir.", "tir"}, {"onsdag", "ons.", "ons"},
				{"torsdag", "tor.", "tor"}, {"fredag", "fre.", "fre"}, {"lørdag", "lør.", "lør"}, {"søndag", "søn.", "søn"}},
			halfday: [2][]string{{"a.m.", "AM"}, {"p.m.", "PM"}},
		},
		"pl": {
			months: [12][]string{{"stycznia", "styczeń", "sty"}, {"lutego", "luty", "lut"}, {"marca", "marzec", "mar"},
				{"kwietnia", "kwiecień", "kwi"}, {"maja", "maj"}, {"czerwca", "czerwiec", "cze"}, {"lipca", "lipiec", "lip"},
				{"sierpnia", "sierpień", "sie"}, {"września", "wrzesień", "wrz"}, {"października", "październik", "paź"},
				{"listopada", "listopad", "lis"}, {"grudnia", "grudzień", "gru"}},
			days: [7][]string{{"poniedziałek", "pon.", "pon"}, {"wtorek", "wt.", "wt"}, {"środa", "śr.", "śr"},
				{"czwartek", "czw.", "czw"}, {"piątek", "pt.", "pt"}, {"sobota", "sob.", "sob"}, {"niedziela", "niedz.", "niedz", "nie"}},
			halfday: [2][]string{{"AM"}, {"PM"}},
		},
		"ru": {
			months: [12][]string{{"января", "январь", "янв.", "янв"}, {"февраля", "февраль", "февр.", "февр", "фев"},
				{"марта", "март", "мар.", "мар"}, {"апреля", "апрель", "апр.", "апр"}, {"мая", "май"},
				{"июня", "июнь", "июн.", "июн"}, {"июля", "июль", "июл.", "июл"}, {"августа", "август", "авг.", "авг"},
				{"сентября", "сентябрь", "сент.", "сент", "сен"}, {"октября", "октябрь", "окт.", "окт"},
				{"ноября", "ноябрь", "нояб.", "нояб", "ноя"}, {"декабря", "декабрь", "дек.", "дек"}},
			days: [7][]string{{"понедельник", "пн"}, {"вторник", "вт"}, {"среда", "ср"}, {"четверг", "чт"},
				{"пятница", "пт"}, {"суббота", "сб"}, {"воскресенье", "вс"}},
			halfday: [2][]string{{"AM"}, {"PM"}},
		},
		"ja": {
			months: [12][]string{{"1月"}, {"2月"}, {"3月"}, {"4月"}, {"5月"}, {"6月"}, {"7月"}, {"8月"}, {"9月"},
				{"10月"}, {"11月"}, {"12月"}},
			days: [7][]string{{"月曜日", "月"}, {"火曜日", "火"}, {"水曜日", "水"}, {"木曜日", "木"},
				{"金曜日", "金"}, {"土曜日", "土"}, {"日曜日", "日"}},
			halfday: [2][]string{{"午前", "AM"}, {"午後", "PM"}},
		},
	}
}

// localeAliases maps other codes to a supported language.
func localeAliases() map[string]string { return map[string]string{"nb": "no"} }

// localeCodes returns the supported codes, sorted, for messages.
func localeCodes() []string {
	out := make([]string, 0, 16)
	for k := range locales() {
		out = append(out, k)
	}
	for k := range localeAliases() {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// lookupLocale finds the texts of a locale written as BCP 47 ("de",
// "de-AT") or POSIX ("de_AT", "de_AT.UTF-8"): the language decides.
func lookupLocale(tag string) (*localeTexts, bool) {
	lang := strings.ToLower(tag)
	if i := strings.IndexAny(lang, "-_."); i >= 0 {
		lang = lang[:i]
	}
	if a, ok := localeAliases()[lang]; ok {
		lang = a
	}
	t, ok := locales()[lang]
	return t, ok
}

// nameEntry is one accepted text and its value.
type nameEntry struct {
	text  string
	value int
}

// localeNames are a locale's texts compiled for matching: for each field,
// the accepted texts grouped by first byte, longest first. As Joda, a text
// matches as written, in lower case or in upper case ("Oct", "oct", "OCT";
// not "oCt"), and both short and full names are accepted for MMM and MMMM,
// E and EEEE.
type localeNames struct {
	byField [nFields]map[byte][]nameEntry
}

func newLocaleNames(t *localeTexts) *localeNames {
	n := &localeNames{}
	add := func(f field, value int, texts []string) {
		if n.byField[f] == nil {
			n.byField[f] = map[byte][]nameEntry{}
		}
		for _, s := range texts {
			for _, form := range [3]string{s, strings.ToLower(s), strings.ToUpper(s)} {
				list := n.byField[f][form[0]]
				if !slices.ContainsFunc(list, func(e nameEntry) bool { return e.text == form }) {
					n.byField[f][form[0]] = append(list, nameEntry{form, value})
				}
			}
		}
	}
	for i, m := range t.months {
		add(fMonth, i+1, m)
	}
	for i, d := range t.days {
		add(fDayOfWeek, i+1, d)
	}
	for i, h := range t.halfday {
		add(fHalfday, i, h)
	}
	// Eras are AD and BC in every language here.
	add(fEra, 0, []string{"BC"})
	add(fEra, 1, []string{"AD"})
	if t.english {
		add(fEra, 0, []string{"BCE"})
		add(fEra, 1, []string{"CE"})
	}
	for _, m := range n.byField {
		for _, list := range m {
			slices.SortStableFunc(list, func(a, b nameEntry) int { return len(b.text) - len(a.text) })
		}
	}
	return n
}

// match reads the longest text of field f at s[i:].
func (n *localeNames) match(f field, s string, i int) (int, int, bool) {
	if i >= len(s) {
		return 0, i, false
	}
	rest := s[i:]
	for _, e := range n.byField[f][s[i]] {
		if strings.HasPrefix(rest, e.text) {
			return e.value, i + len(e.text), true
		}
	}
	return 0, i, false
}
