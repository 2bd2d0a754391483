"""The patterns and word lists of the personal-data scrubber (``assistant.feedback.scrub``).

Every pattern is linear on any input: repetitions are bounded and matches start only at a
boundary. ``scrub.py`` applies them in order; keep new patterns to the same rules.
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that are both customer names and ordinary words in a shop (colours, materials, trades).
COMMON_WORDS: frozenset[str] = _words(
    """brown green white black gray grey rose gold silver mason harper taylor smith moore
    lee may will mark bill rich page case hunter king young long price cook baker carter
    miller turner park hill wood stone rock summer april june august grace hope joy ivy
    lily violet olive amber ruby pearl jade sky river brook star sunny chase drew"""
)

# Words that follow "I'm", "this is", "thanks," ... and are not names: function words, chat,
# what people say they are ("I'm sorry", "this is urgent"), roles and departments ("ask for
# sales"), shop and calendar words, nationalities ("I'm Canadian"), EU function words.
_NOT_NAME = _words(
    """a an the and or but nor so yet if then than because as at by for from in into of off
    on onto out over to up upon with within without about above after against along among
    around before behind below beside between beyond during except inside near past since
    through toward towards under until via i me my mine myself you your yours we us our they
    them their he him his she her it its it's this that these those who whom whose which what
    when where why how here there all any both each every few many more most much no none not
    nothing some such only own same also just very really still again already always never ever
    now soon later is am are was were be been have has had do does did done will would shall
    should can could may might must one two three im ive id ill dont cant wont didnt doesnt
    isnt youre thats theyre were weve youve hes shes theres heres whats lets
    yes yeah yep nope ok okay sure please pls plz thanks thank thx ty lol haha omg btw u ur
    hi hello hey hiya dear bye cheers regards best kind warm sincerely signed
    noted agree agreed understood appreciated received cool perfect awesome brilliant excellent
    wonderful amazing nice alright
    get got go gone went come came make made want wanted need needed like love hate
    hope think know see look tried sorry glad happy unhappy upset angry mad sad annoyed frustrated
    disappointed confused worried concerned tired busy fine good great well bad terrible awful
    horrible urgent important new old back away home late early ready sick afraid able unable
    kinda gonna wanna pretty super quite too currently actually literally totally honestly
    finally usually basically basicly seriously probably definitely lovely likely writing calling
    contacting emailing wondering waiting hoping looking trying having getting going interested
    speaking wrong right correct incorrect spelled misspelled different blank empty listed shown
    printed written vegan vegetarian
    customer client member user buyer guest owner team support service staff manager agent
    someone somebody anyone anybody everyone everybody guys folks friend friends mate dude bro
    sir madam nobody noone mum mom dad mother father sister brother wife husband son daughter
    name names email address phone number sales billing returns accounts reception security warehouse
    order orders account refund return delivery parcel package item items product store
    shop aisle gift today tomorrow yesterday tonight monday tuesday wednesday thursday friday
    saturday sunday january february march september october november december christmas
    american british english irish scottish welsh canadian australian german
    french spanish italian dutch polish swedish danish norwegian portuguese brazilian mexican
    indian chinese japanese korean european
    und oder aber bitte et mais pour avec pero para por con"""
)
_PARTICLES = _words(
    "ní nic mac mc de da di du del della dos das van von der den ter ten le la al el bin ibn ben y"
)
_TITLES = _words("mr mrs ms miss mx dr prof sir dame madam herr frau mme mlle sr sra")
# Lower-case endings of ordinary words ("this is Ridiculous", "i'm confused").
_WORD_ENDINGS = (
    "ing", "ous", "ful", "able", "ible", "less", "ness", "ment", "ated", "ised", "ized", "ied",
)  # fmt: skip

_IBAN_LENGTHS = dict(
    (c[:2], int(c[2:]))
    for c in """AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 CH21 CR22 CY28 CZ24 DE22 DK18
    DO28 EE20 EG29 ES24 FI18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IS26
    IT27 JO30 KW30 KZ20 LB28 LI21 LT20 LU20 LV21 MC27 MD24 ME22 MK19 MR27 MT31 MU30 NL18 NO15
    PK24 PL28 PS29 PT25 QA29 RO24 RS22 SA24 SE24 SI19 SK24 SM27 TN24 TR26 UA29 VG24 XK20""".split()
)
_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH"
    "|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY"
)
_I = re.IGNORECASE
_IS = r"(?:\s{1,3}is\s{1,3}|\s{0,3}[:#=\-]\s{0,3}|\s{1,3})"  # "zip is 1", "zip: 1", "zip 1"

# --- emails: parts of at most 64 characters, up to 6 parts, starting after a non-word ---
_AT = r"(?:\s{0,3}@\s{0,3}|\s{0,3}[(\[{]at[)\]}]\s{0,3}|[ ]{1,3}at[ ]{1,3})"
_DOT = r"(?:\.|[ ]{1,3}\.[ ]{1,3}|\s{0,3}[(\[{]dot[)\]}]\s{0,3}|[ ]{1,3}dot[ ]{1,3})"
_PART = r"(?!(?:at|dot)\b(?!\.\w))[\w%+\-]{1,64}"  # "at"/"dot" spell out @ and . unless a "." follows: "t@at.com"
# the local part may hold apostrophes ("o'brien@example.com"); a match starts at the start of a
# run (linear) or after an opening quote ("'a@a.com", which leaked before)
_LOCAL_PART = r"(?!(?:at|dot)\b)[\w%+\-](?:[\w%+\-]|['’](?=\w)){0,63}"
_START = r"(?<![\w.%+\-@])(?<![\w.%+\-@]['’])"
_EMAIL = re.compile(
    rf"{_START}(?P<local>{_LOCAL_PART}(?:{_DOT}{_PART}){{0,5}})(?P<at>{_AT})"
    rf"{_PART}(?:{_DOT}{_PART}){{0,5}}(?P<dot>{_DOT})(?P<tld>(?!(?:at|dot)\b)[a-z]{{2,24}})\b",
    _I,
)
_PROVIDER_EMAIL = re.compile(  # "noah at gmail": big providers need no ".com"
    rf"{_START}[\w.%+\-]{{1,64}}[ ]{{1,3}}(?:at|@)[ ]{{1,3}}(?:gmail|googlemail|hotmail|yahoo"
    r"|outlook|icloud|aol|protonmail|proton|gmx|msn)\b",
    _I,
)
_MAIL_TLDS = _words("com org net edu gov io co uk de fr es it nl eu info biz us ca me ai au in")
_ID = re.compile(r"\b[a-z]{1,30}(?:_[a-z]{1,30}){0,3}_\d{2,12}\b", _I)
_IBAN = re.compile(r"\b[a-z]{2}\d{2}(?:[ ]?[a-z0-9]){11,30}", _I)
_IBAN_LABELLED = re.compile(  # after the word IBAN even a mistyped one is bank data
    r"\biban\b\W{0,3}(?:is\s{1,3})?([a-z]{2}\d{2}(?:[ ]?[a-z0-9]{4}){2,7}(?:[ ]?[a-z0-9]{1,4})?)"
    r"(?![a-z0-9])",
    _I,
)
_BANK_CONTEXT = re.compile(r"\b(?:sort\s?code|iban|bank|routing|bsb|swift|bic)\b", _I)
_BANK_NUMBERS = (
    re.compile(rf"\bsort(?:[\s\-]?code)?{_IS}(\d{{2}}[\s\-]?\d{{2}}[\s\-]?\d{{2}})\b", _I),
    re.compile(rf"\b(?:routing|aba|bsb)(?:\s{{1,3}}(?:number|no\.?|#))?{_IS}(\d{{6,9}})\b", _I),
)
_ACCOUNT = re.compile(
    rf"\b(?:account|acct|acc|a/c)(?:\s{{1,3}}(?:number|num|no\.?|#))?{_IS}(\d{{6,17}})\b", _I
)
_ORDER = re.compile(r"#\s?W?[\s\-]?\d{7}\b|\bW-?\d{7}\b", _I)
_ORDER_NUMBER = re.compile(  # "cancel order 4471829": the id typed without its "#W"
    rf"\b(?:order|purchase)(?:\s{{1,3}}(?:id|no\.?|number|num|#)|(?:\s{{1,3}}label+ed)?\s{{1,3}}with"
    rf"\s{{1,3}}the\s{{1,3}}(?:number|code|id))?{_IS}#?(\d{{6,16}})\b",
    _I,
)
_CARD = re.compile(  # ungrouped, 4-4-4-4(-3), or Amex / Diners 4-6-5 / 4-6-4
    r"(?<![\w\-.])(?:\d{13,19}|\d{4}([ \-.])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{1,3})?"
    r"|\d{4}([ \-.])\d{6}\2\d{4,5})(?!\w|[\-.]\d)"
)
_CARD_WORDS = re.compile(
    r"\b(?:cards?|visa|master\s?card|amex|american\s+express|discover|maestro|debit|credit"
    r"|cvv2?|cvc2?|csc|security\s+code)\b",
    _I,
)
_CVV = re.compile(
    rf"\b(?:cvv2?|cvc2?|cvn|csc|security\s{{1,3}}(?:code|number)"
    rf"|card\s{{1,3}}(?:verification\s{{1,3}})?code)"
    rf"{_IS}(\d{{3,4}})\b",
    _I,
)
_EXPIRY = re.compile(
    rf"\b(?:cid|exp(?:iry|ires|iration)?(?:\s{{1,3}}date)?"
    rf"|(?:valid|good)\s{{1,3}}(?:thru|through|until|till)|mm\s?/\s?yy)"
    rf"\.?{_IS}(?:on\s{{1,3}})?(\d{{3,4}}|(?:0?[1-9]|1[0-2])\s?[/\-]\s?(?:20)?\d{{2}})\b",
    _I,
)
_NUMBER_LABEL = re.compile(
    r"\b(?:isbn(?:-1[03])?|ean|upc|gtin|asin|sku|part|model|serial|s/n|imei|tracking|ref"
    r"|reference|invoice|item|article|barcode|mpn|order|purchase)(?:\s{1,2}(?:no\.?|number|num|#))?\W{0,3}$",
    _I,
)
_SSN_CONTEXT = re.compile(r"\b(?:ssn|ss#|social\s+security|soc\.?\s+sec|itin|tax\s+id)", _I)
_SSN_DASHED = re.compile(r"(?<![\w\-])(?!000|666|9)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?!\w|-\d)")
_SSN_LOOSE = re.compile(r"(?<![\w\-.])\d{3}([ \-.]?)\d{2}\1\d{4}(?!\w|[\-.]\d)")
_SSN_LAST_FOUR = re.compile(r"\blast\s{1,3}(?:4|four)\b[^\d\n]{0,24}?(\d{4})\b", _I)

# --- addresses ---
_SUFFIX = (
    r"(?:street|st|avenue|ave|road|rd|drive|dr|lane|ln|boulevard|blvd|parkway|pkwy|highway|hwy"
    r"|trail|trl|alley|crescent|cres|terrace|ter|court|ct|place|pl|way|circle|cir|square|sq"
    r"|close|grove|gardens|gdns|mews|walk|row|hill|park|estate|view|rise|green|parade|quay"
    r"|wharf|plaza|broadway|loop|ridge|heights|hts|run|pike|crossing|xing|cove|glen|vale|path"
    r"|expressway|expy|freeway|fwy|turnpike|tpke|circus|embankment|promenade|esplanade|chase"
    r"|drove|yards)"
)
# Suffixes that are also ordinary words count only in a message that is about an address.
_RISKY_SUFFIX = _words(
    """court place way circle square close grove walk row hill park estate view rise green loop
    ridge heights run pike crossing cove glen vale path chase drove yards"""
)
_STOP = r"(?!(?:in|a|an|of|on|at|to|for|and|or|is|it|my|by|with|from|x|per|pack|pairs?|size)\b)"
_STREET_WORD = rf"{_STOP}(?=\d{{0,4}}[^\W\d_])[\w'’\-]{{1,30}}\.?"
_UNIT = r"(?:suite|ste|apt|apartment|unit|flat|#)\.?\s{0,2}#?\s{0,2}[a-z0-9\-]{1,8}"
_ADDRESS = re.compile(
    rf"\b\d{{1,5}}[a-z]?(?:-\d{{1,5}}[a-z]?)?,?\s{{1,3}}(?:{_STREET_WORD}[ \t]{{1,3}}){{1,4}}(?P<suffix>{_SUFFIX})\b\.?"
    rf"(?:[\s,]{{1,3}}{_UNIT}\b)?",
    _I,
)
_STREET_FIRST = re.compile(  # "3 Rue de la Paix", "12 via Roma"
    r"\b\d{1,4},?\s{1,3}(?:rue|chemin|all[ée]e|impasse|quai|via|viale|piazza|corso|calle|carrer"
    r"|avenida|rua|paseo|camino|avenue|boulevard|place)\s{1,3}"
    r"(?:de\s|des\s|du\s|del\s|della\s|di\s|da\s|la\s|le\s|les\s|d['’]|(?-i:[A-ZÀ-Þ]))"
    r"[\w'’\-]{0,30}(?:[ ]{1,2}[\w'’\-]{1,30}){0,3}",
    _I,
)
_STREET_NUMBER_LAST = re.compile(  # "Hauptstraße 15", "Keizersgracht 123", "Storgatan 5"
    r"\b(?:[^\W\d_]{2,30}[ \-]?)?(?:stra(?:ß|ss)e|str\.|gasse|weg|allee|platz|straat|laan"
    r"|gracht|plein|dijk|kade|gatan|gata|vägen|vej|veien|gade)"
    r"\s{1,2}\d{1,4}[a-z]?\b",
    _I,
)
_STREET_NAME_FIRST = re.compile(  # "Via Roma 12", "Calle Mayor 5"
    r"\b(?:via|viale|piazza|corso|calle|carrer|avenida|av\.|rua|paseo|camino|rue|ulica|ul\.)\s{1,3}"
    r"(?:(?:de|del|della|di|da|do|la|le)\s{1,3})?(?-i:[A-ZÀ-Þ])[\w'’\-]{1,30}"
    r"(?:[ ]{1,2}(?-i:[A-ZÀ-Þ])[\w'’\-]{1,30}){0,3},?\s{1,2}\d{1,4}[a-z]?\b",
    _I,
)
_UNIT_NUMBER = re.compile(r"\bunit\s{0,2}#?\s{0,2}\d{1,5}[a-z]?\b", _I)
_PO_BOX = re.compile(
    r"\b(?:p\.?\s?o\.?\s?box|post\s+office\s+box|postfach)\s{0,2}#?\s{0,2}\d{1,6}\b", _I
)
_LONE_UNIT = re.compile(r"\b(?:suite|ste|apt|apartment|flat)\.?\s{0,2}#?\s{0,2}\d{1,5}[a-z]?\b", _I)
_ADDRESS_MORE = re.compile(  # "[ADDRESS], Riverside Industrial Estate"
    rf"\[ADDRESS\],?\s{{1,3}}(?:[A-Z][\w'’\-]{{0,30}}\s{{1,3}}){{0,3}}"
    rf"[A-Z][\w'’\-]{{0,30}}\s{{1,3}}"
    rf"(?i:{_SUFFIX})\b"
)
_ADDRESS_CONTEXT = re.compile(
    r"\[ADDRESS\]|\b(?:address\w*|adress\w*|deliver\w*|liefer\w*|livraison|entrega|consegna"
    r"|ship(?:ping|ped)?\s+(?:it\s+)?to|send\s+(?:it\s+)?to|post(?:ed)?\s+to|live\s+(?:at|in)"
    r"|moved\s+to|flat|apt|suite|post\s?code|postal|zip|plz|cedex|eircode|morada|direcci[oó]n"
    r"|indirizzo|adres|entrega)\b",
    _I,
)
_CITY_STATE_ZIP = re.compile(
    r"\[ADDRESS\](?:[,\s]{1,3}[a-z][a-z .'\-]{0,30}?)?(?:[,\s]{1,3}[a-z]{2})?[,\s]{1,3}"
    r"\d{5}(?:-\d{4})?(?![\w\-])",
    _I,
)
_STATE_ZIP = re.compile(rf"\b(?:{_US_STATES}),?\s{{1,2}}(\d{{5}}(?:-\d{{4}})?)\b")
_ZIP_LABEL = re.compile(rf"\bzip(?:\s?code)?{_IS}(\d{{5}}(?:-\d{{4}})?)\b", _I)
_UK_POSTCODE = r"[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2}"
_UK = re.compile(rf"(?<![\w\-]){_UK_POSTCODE}(?![\w\-])", _I)
_CANADA = re.compile(
    r"(?<![\w\-])[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d(?![\w\-])"
)
_POSTCODE_LABEL = re.compile(
    rf"\b(?:post\s?code|postal\s?code|code\s+postal|plz|cep){_IS}"
    rf"({_UK_POSTCODE}|\d{{4}}\s?(?-i:[A-Z]{{2}})\b|\d{{2,5}}(?:-\d{{3,4}})?\b|\d{{3}} \d{{2}}\b"
    rf"|\d{{6}}\b)",
    _I,
)
_CITY_POSTCODE = re.compile(  # "10115 Berlin", "1012 AB Amsterdam", in a message about an address
    r"(?<![\w.,\-/$£€])([1-9]\d{3}\s?[A-Z]{2}|\d{5}-\d{3}|\d{4}-\d{3}|\d{3}-\d{4}|\d{2}-\d{3}"
    r"|\d{3} \d{2}|\d{4,6})(?=,?\s{1,2}[A-ZÀ-Þ][^\W\d_]{1,30})"
)
_EIRCODE = re.compile(r"(?<![\w\-])(?:[AC-FHKNPRTV-Y]\d{2}|D6W) ?[0-9AC-FHKNPRTV-Y]{4}(?![\w\-])")
_AU_POSTCODE = re.compile(r"\b(?:NSW|VIC|QLD|SA|WA|TAS|NT|ACT),?\s{1,2}(\d{4})\b")
_ZIP_AFTER_TO = re.compile(  # "ship to 90210"
    r"\b(?:ship(?:ping)?|deliver(?:y|ed)?|send|post)(?:\s{1,3}it)?\s{1,3}to\s{1,3}"
    r"(\d{5}(?:-\d{4})?)\b",
    _I,
)

# --- phones: up to 8 groups of at most 12 digits, separated by one space, dot or dash ---
_PHONE = re.compile(
    r"(?<![\w+\-/$£€(])(?<!\d[.,:])(?=[\d +().\-]{0,6}\d\d)"
    r"(?P<plus>\+\s?|\(\+\d{1,3}\)\s?)?(?:\(\s?\d{1,5}\s?\)\s?)?\d{1,12}"
    r"(?:(?:[ .\-]|[ ]?\(\s?\d{1,5}\s?\)[ ]?|[ ]-[ ])\d{1,12}){0,7}"
    r"(?P<ext>\s{0,2}(?:x|ext\.?|extension)\s{0,2}\d{1,5})?(?![\w\-/]|[.,:]\d)",
    _I,
)
_PHONE_SHORT = re.compile(  # "call 555-0123"
    r"\b(?:phone|tel|telephone|mobile|mob|cell|call|ring|text|fax|whatsapp)\.?\s{0,2}(?:me\s{1,3})?"
    r"(?:on\s{1,3}|at\s{1,3}|:\s{0,2}|is\s{1,3})?(\d{3}-\d{4})(?![\w\-/])",
    _I,
)
_PHONE_SLASH = re.compile(r"(?<![\w/\-.])0\d{2,4}\s?/\s?\d{4,9}(?![\w/\-]|[.,]\d)")  # 030/1234567
_PHONE_WORDS = re.compile(
    r"\b(?:phone|tel|telephone|mobile|mob|cell|call|ring|text|whatsapp|number|contact|fax)\b", _I
)

# --- names ---
_CUE = re.compile(
    r"\b(?=[^\W\d_])(?:(?P<strong>(?:my\s{1,3})?(?:sur)?name\s{1,3}is|my\s{1,3}names|name['’]s"
    r"|(?:sur)?name\s{0,2}:|(?:customer|from|sender|to|contact(?:\s{1,3}person)?|addressee|buyer"
    r"|purchaser|guest)\s{0,2}:"
    r"|account\s{1,3}holder\s{0,2}:?|card\s?holder(?:\s{1,3}name)?\s{0,2}:?|recipient\s{0,2}:"
    r"|attn\s{0,2}[:.]?|mein\s{1,3}name\s{1,3}ist|ich\s{1,3}hei(?:ß|ss)e|je\s{1,3}m['’]appelle"
    r"|mon\s{1,3}nom\s{1,3}est|me\s{1,3}llamo|mi\s{1,3}nombre\s{1,3}es|mi\s{1,3}chiamo"
    r"|mijn\s{1,3}naam\s{1,3}is|ik\s{1,3}heet)"
    r"|(?P<named>name,|the\s{1,3}name|under\s{1,3}(?:the\s{1,3})?name(?:\s{1,3}of)?"
    r"|c/o|care\s{1,3}of|on\s{1,3}behalf\s{1,3}of|(?:son|daughter|guy|man|woman|lady|girl|boy"
    r"|person|someone|agent|driver|courier|friend|colleague|rep|child|kid)\s{1,3}(?:called|named))"
    r"|(?P<intro>i['’]?m|i\s{1,3}am)|(?P<its>it['’]?s)"
    r"|(?P<this>this\s{1,3}is|ich\s{1,3}bin|ik\s{1,3}ben|je\s{1,3}suis)"
    r"|(?P<ask>ask\s{1,3}for|speak\s{1,3}(?:to|with)|talk\s{1,3}to|call\s{1,3}me|i\s{1,3}go\s{1,3}by"
    r"|known\s{1,3}as)"
    r"|(?P<greet>dear|hi|hello|hey|hiya)"
    r"|(?P<signoff>(?:(?:(?:kind|best|warm|warmest|many)\s{1,3})?(?:regards|wishes|thanks)"
    r"|thank\s{1,3}you|cheers|sincerely|yours(?:\s{1,3}(?:truly|sincerely|faithfully))?)"
    r"(?=\s{0,2}[,\n]|[ \t]{1,2}(?-i:[A-Z]))|(?:signed|best|love|warmly)(?=\s{0,2}[,\n]))"
    r"|(?P<relation>my\s{1,3}(?:sister|brother|mum|mom|mother|dad|father|husband|wife|partner|son"
    r"|daughter|friend|boyfriend|girlfriend|fianc[ée]e?|aunt|uncle|niece|nephew|cousin|grandma"
    r"|grandmother|grandpa|grandfather|colleague|neighbou?r|flatmate|roommate|boss|kid|child))"
    r"|(?P<title>(?:mr|mrs|ms|miss|mx|dr|prof|sir|dame|herr|frau|mme|mlle)\.?)"
    r"|(?P<deliver>(?:deliver|send|ship|post|address(?:ed)?)(?:\s{1,3}it)?\s{1,3}to))"
    r"(?:(?<=\W)|(?!\w))[ \t]{0,3}[,:]?\s{0,3}",
    _I,
)
_HERE = re.compile(  # "Tom here, ..." at the start of a line or after a greeting
    r"(?<![\w'’])(?-i:[A-Z])[^\W\d_]{1,30}(?:['’\-][^\W\d_]{1,30}){0,3}"
    r"(?:[ \t]{1,2}(?-i:[A-Z])[^\W\d_]{1,30}(?:['’\-][^\W\d_]{1,30}){0,3}){0,2}[ \t]{1,2}here\b"
)
_HERE_BEFORE = re.compile(r"(?:^|[.!?,:\n]|\bhi|\bhey|\bhello|\bhiya)[ \t]*$", _I)
_TOKEN = re.compile(r"([^\W\d_]{1,30}(?:['’\-][^\W\d_]{1,30}){0,3})(?![\w'’\-])")
_GAP = re.compile(r"\.?[ \t]{1,3}|\.")
_AFTER_SIGNOFF = re.compile(r"[ \t]{0,3}(?:$|[\n.!?,;)])")
_AFTER_NAME = re.compile(r"[ \t]{0,3}(?:$|[\n.!?,;:()\-])")
_AFTER_DELIVER_NAME = re.compile(r",\s{0,3}(?:\d|\[ADDRESS\])")
_STORE_TOKEN = re.compile(r"[^\W\d_]{1,40}(?:['’][^\W\d_]{1,40})?")
