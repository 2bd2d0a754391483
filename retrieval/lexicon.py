"""General shopping English: words shoppers use for properties that catalogues name otherwise.

Nothing here names a store's products. Each concept group lists words and phrases that
mean the same property ("waterproof", "keeps the rain out", "water resistance"); the
grounding step (``retrieval.grounding``) links a shopper's word to a catalogue's option
name or value when both fall in one group. Interests map a recipient or activity ("my
sister who cooks", "a runner") onto words that product types of that interest contain.
"""

from __future__ import annotations

import re

CONCEPTS: tuple[tuple[str, ...], ...] = (
    ("waterproof", "water resistance", "water resistant", "water-resistant", "water proof", "rainproof",
     "rain proof", "weatherproof", "weather proof", "showerproof", "splashproof", "splash proof",
     "keep out rain", "keeps out rain", "keep the rain out", "keeps the rain out", "in the rain",
     "rain", "sprinkler", "sprinklers", "wet weather", "get wet", "wet out", "in the wet", "when its wet", "when it's wet", "splash", "splashes", "shower", "surfing", "sweat", "sweatproof", "sweat proof",
     "sweat-proof", "sweaty", "sweating",
     "water out", "keep the water out", "keeps the water out", "ipx4", "ipx5", "ipx6", "ipx7", "ipx8",
     "snorkelling", "snorkeling", "underwater", "swimming", "diving", "scuba"),  # at least waterproof
    ("submersible", "ipx7", "ipx8", "swim", "swimming", "swim laps", "pool", "dunk", "dunked", "underwater",
     "under water", "snorkelling", "snorkeling", "fully waterproof", "drop it in water"),
    ("bar spacing", "gap between the bars", "gaps between the bars", "space between the bars", "bar gap",
     "bar gaps", "spacing of the bars", "between the bars"),
    ("puncture proof", "puncture-proof", "punctureproof", "flat free", "flat-free", "airless", "solid tyre",
     "solid tire", "never goes flat", "won't go flat", "wont go flat", "never get a puncture"),
    ("pneumatic", "air filled", "air-filled", "inflatable tyre", "inflatable tire", "puncture", "punctures",
     "go flat", "goes flat", "going flat", "get a puncture"),
    ("power chewer", "heavy chewer", "aggressive chewer", "strong chewer", "tough chewer", "indestructible",
     "destroy", "destroys", "destroyer", "destroyed", "destroying", "annihilated", "annihilates", "wrecker", "wrecks",
     "chews through everything", "chews everything", "tough", "super tough", "extra tough"),
    ("goose down", "duck down", "down filled", "feather", "feathers", "feathery", "feather filled"),
    ("hollowfibre", "hollow fibre", "hollowfiber", "microfibre", "microfiber", "synthetic fill", "polyester fill",
     "hypoallergenic", "hypo allergenic", "anti allergy", "anti-allergy", "non allergenic", "non-allergenic"),
    ("tenkeyless", "tkl", "80%", "no number pad", "no numpad", "without a numpad", "without the number pad"),
    ("siri", "apple homekit", "homekit", "apple home"),
    ("alexa", "amazon alexa", "echo"),
    ("google assistant", "google home", "hey google", "google nest"),
    ("gopro", "go pro", "action camera", "action cam", "helmet cam", "helmet camera"),
    ("cam", "cams", "camera", "cameras"),
    ("roomba", "robot vacuum", "robot hoover", "robovac", "robotic", "robot"),
    ("cordless", "battery", "battery powered", "battery-powered", "rechargeable", "no cord",
     "no cable", "without a cord", "without cord", "wire free", "wire-free", "untethered"),
    ("wireless", "bluetooth", "wi-fi", "wifi", "no wires", "cable free", "cable-free", "without plugging",
     "without plugging it in", "without plugging in", "without a cable", "without the cable", "no plugging in"),
    ("wired", "corded", "cable", "plug in", "plug-in", "mains", "ac adapter", "power cord", "usb cable",
     "ethernet", "router", "lan", "network cable", "lan cable"),
    ("petrol", "gas", "gasoline", "fuel"),
    ("rechargeable", "recharge", "usb charging", "usb rechargeable", "charge by usb", "charges by usb",
     "charge via usb", "charges via usb", "charge with usb", "usb charge", "usb-c charging"),
    ("dishwasher safe", "dishwasher", "dishwasher-safe", "goes in the dishwasher"),
    ("machine washable", "washable", "washing machine", "washer", "in the wash", "the wash",
     "machine wash", "machine-washable", "wash it", "wash them"),
    ("reflective", "hi-vis", "hi vis", "high vis", "high-vis", "high visibility", "hi viz", "reflector",
     "reflectors", "visible at night", "seen at night", "be seen", "can see me", "see me", "see us", "can see us",
     "seen by drivers", "drivers can see", "cars can see", "visible in the dark"),
    ("night vision", "in the dark", "at night", "dark", "night time", "nighttime", "infrared"),
    ("senior", "old", "older", "elderly", "ageing", "aging", "old age", "oldie", "golden oldie"),
    ("grain free", "grain-free", "grainfree", "no grain", "without grain", "no grains", "without grains"),
    ("scented", "perfumed", "perfumey", "perfumy", "fragranced", "fragrance", "smell", "smells", "smelly", "scent"),
    ("clumping", "clumps", "clump"),
    ("backpack", "rucksack", "daypack", "knapsack", "bookbag", "day pack"),
    ("non stick", "nonstick", "non-stick"),
    ("stainless steel", "stainless", "steel"),
    ("quiet", "quiet operation", "silent", "low noise", "noiseless", "whisper"),
    ("noise cancelling", "noise canceling", "anc", "noise cancellation"),
    ("portable", "travel", "compact", "lightweight", "light weight", "carry"),
    ("large", "big", "huge", "xl", "king", "roomy", "spacious", "plenty of room", "bigger"),
    ("small", "little", "mini", "tiny", "compact"),
    ("grey", "gray"),
    ("colour", "color", "colours", "colors", "shade", "finish", "colourway", "colorway", "colourways"),
    ("size", "sizes", "dimension", "dimensions", "fit", "diameter"),
    ("material", "made of", "made from", "fabric"),
    ("capacity", "volume", "holds", "how much does it hold", "litres", "liters"),
    ("weight", "heavy", "light", "weigh", "weighs"),
    ("battery life", "battery", "lasts", "last long", "lasts longest", "longest lasting", "runtime",
     "run time", "hours", "juice", "charge lasts"),
    ("breathable", "mesh", "ventilated", "ventilation", "air vents", "vents", "airflow", "air flow", "airy",
     "keeps cool", "keep cool", "stays cool"),
    ("professional", "pro", "pro level", "pro-level", "advanced", "expert"),
    ("capacity", "water tank", "tank", "reservoir"),
    ("brightness", "bright", "brighter", "brightest", "lumens"),
    ("backlight", "backlit", "back lit", "back-lit", "backlighting", "lights up", "light up", "lit up",
     "illuminated", "glows", "glow in the dark keys"),
    ("warranty", "guarantee", "guaranteed"),
    ("laptop", "computer", "macbook", "notebook computer"),
    ("hydration", "water bladder", "hydration bladder", "camelbak"),
    ("pet hair", "pet hair removal", "dog hair", "cat hair", "pets", "fur", "shedding", "moulting", "molting",
     "hair everywhere", "fur everywhere"),
    ("polarized", "polarised", "anti glare", "anti-glare"),
    ("warm", "warmth", "insulated", "thermal", "tog", "cosy", "cozy"),
    ("hoover", "vacuum", "vacuum cleaner"),
    ("hosepipe", "hose pipe", "garden hose", "hose"),
    ("parasol", "patio umbrella", "garden umbrella", "sun umbrella", "brolly", "big brolly", "garden brolly"),
    ("fleece jacket", "jumper", "sweater", "pullover", "half zip top"),
    ("weights", "dumbbells", "dumbbell", "dumbbell set", "free weights", "adjustable weights", "kettlebell"),
    ("nanny cam", "nanny camera", "baby monitor", "baby cam", "security camera", "indoor camera", "cctv",
     "indoor security camera"),
    ("hydroflask", "hydro flask", "water bottle", "drinks bottle", "drink bottle", "reusable bottle", "flask"),
    ("jigsaw", "jigsaw puzzle", "jigsaws"),
    ("bookcase", "bookshelf", "book shelf", "shelving unit"),
    ("aftershave", "cologne", "eau de toilette", "fragrance", "scent", "perfume"),
    ("pinny", "apron"),
    ("hardshell", "hard case", "hard shell", "hard-shell", "hard sided", "hard-sided"),
    ("softshell", "soft case", "soft shell", "soft-shell", "soft sided", "soft-sided"),
    ("adjustable", "go up and down", "goes up and down", "move up and down", "height adjustable", "adjusts"),
    ("storage", "storage space", "space for downloads", "downloads", "gigs", "gb of storage"),
    ("over-ear", "over ear", "over the ear", "over the ears", "over your ears", "over my ears", "around the ear",
     "around your ears", "full size headphones", "cups that go over"),
    ("in-ear", "in ear", "in the ear", "in-ears"),
    ("wheels", "wheeled", "on wheels", "castors", "casters", "castor", "caster", "rolling", "roll it"),
    ("armrest", "arms", "arm rests", "armrests", "arm rest"),
    ("grooming brush", "brush", "rake", "undercoat rake", "deshedding tool", "deshedder", "de-shedder", "slicker",
     "slicker brush", "comb", "furminator"),
    ("hard cover", "hardback", "hardcover", "hard-cover", "hard backed"),
    ("soft cover", "softback", "softcover", "soft-cover", "paperback"),
    ("dutch oven", "le creuset", "casserole", "casserole dish", "casserole pot", "cocotte", "stew pot"),
    ("smartwatch", "smart watch", "fitness watch", "fitness tracker"),
    ("wristwatch", "watch", "analogue watch", "analog watch"),
    ("fish", "salmon", "tuna", "cod", "trout", "white fish", "whitefish", "sardine", "sardines"),
    ("assembly", "assemble", "assembled", "put together", "put it together", "flat pack", "flat-pack",
     "self assembly", "comes built", "built", "tools"),
    ("power bank", "portable charger", "battery pack", "phone charger"),
    ("shades", "sunglasses", "sunnies"),
    ("suitcase", "luggage", "luggage set", "suitcases"),
    ("mobile", "cell phone", "cellphone", "smartphone", "phone"),
    ("kindle", "e-reader", "ereader", "e reader"),
    ("bike", "bicycle"),
    ("cushion", "pillow", "throw pillow", "scatter cushion"),
    ("trainers", "sneakers", "kicks"),
    ("running trainers", "running shoes", "runners", "running sneakers", "treadmill shoes"),
    ("airpods", "earbuds", "ear buds", "wireless earbuds", "earphones", "in ear headphones", "earpods"),
    ("fitbit", "apple watch", "garmin", "step counter", "fitness tracker", "smart watch"),
    ("ipad", "tablet", "android tablet", "galaxy tab", "kindle fire"),
    ("pair of cans", "pair of can", "headphones", "headset", "over ear headphones", "over-ears"),
    ("lid", "helmet", "bike helmet", "cycling helmet", "skid lid"),
    ("george foreman", "grill", "health grill", "contact grill", "panini press", "bbq", "barbecue"),
    ("tee", "tees", "t-shirt", "t-shirts", "tshirt", "tshirts", "t shirt"),
    ("coat", "mac", "raincoat", "rain jacket", "rain coat", "waterproof jacket", "parka", "anorak", "cagoule"),
    ("wellies", "wellington", "rain boots", "gumboots", "gum boots", "gumboot", "galoshes", "wellington boots", "wellys", "wellie", "welly"),
    ("flea drops", "flea treatment", "spot on", "spot-on", "flea and tick", "tick treatment", "drops", "flea stuff"),
    ("litter tray", "litter box", "poo box", "cat toilet", "litter pan", "poop box"),
    ("skillet", "frying pan", "fry pan", "cast iron pan", "cast iron skillet", "griddle pan"),
    ("duvet", "comforter", "quilt"),
    ("oven safe", "ovenproof", "oven proof", "in the oven"),
    ("expert", "hard", "difficult", "challenging", "tricky", "advanced"),
    ("beginner", "easy", "simple", "beginners", "for beginners"),
    ("induction", "induction hob", "induction ready", "induction compatible"),
)

# interest -> words that product types bought for it tend to contain; when the interest word
# itself is listed ("dog"), types that name it are preferred over the broader hints
# a generic kind of product -> the (normalised, singular) words of type names of that kind
_FOOTWEAR = ("shoe", "sneaker", "trainer", "boot", "sandal", "slipper", "wellington", "welly", "loafer", "footwear")
KINDS: dict[str, tuple[str, ...]] = {
    "shoe": _FOOTWEAR, "footwear": _FOOTWEAR,
    "jacket": ("jacket", "coat", "fleece", "raincoat", "parka", "anorak"),
    "coat": ("jacket", "coat", "fleece", "raincoat", "parka", "anorak"),
}

# a purpose that says which of several types sharing a word is meant ("a camera for birdwatching")
PURPOSES: dict[str, tuple[str, ...]] = {
    "photograph": ("digital camera",), "birdwatch": ("digital camera",), "wildlife": ("digital camera",),
    "snorkel": ("action camera",), "surf": ("action camera",), "mountain bik": ("action camera",),
    "mtb": ("action camera",), "helmet": ("action camera",), "film my": ("action camera",), "skiing": ("action camera",),
    "ski trip": ("action camera",), "my runs": ("action camera",),
    "tough": ("action camera",), "rugged": ("action camera",), "adventure": ("action camera",),
    "keep an eye on": ("security camera", "pet camera"), "check on": ("security camera", "pet camera"),
    "at work": ("security camera", "pet camera"), "burglar": ("security camera",),
    "plug in": ("electric",), "plugs in": ("electric",), "plug it in": ("electric",), "plug-in": ("electric",),
}

INTERESTS: dict[str, tuple[str, ...]] = {
    "cook": ("coffee", "espresso", "kettle", "tea", "grill", "oven", "knife", "skillet", "pan", "stock pot", "saucepan",
             "mixer", "cutting board", "apron", "blender", "toaster", "cookware", "baking", "kitchen", "spatula"),
    "coffee": ("coffee maker", "espresso", "mug", "grinder", "kettle"),
    "tea": ("tea kettle", "kettle", "mug", "teapot"),
    "run": ("running", "shoes", "smart watch", "water bottle", "earbuds", "headphones"),
    "hik": ("hiking", "boots", "backpack", "water bottle", "fleece", "jacket", "sunglasses", "raincoat", "tent"),
    "camp": ("tent", "backpack", "water bottle", "lantern", "stove", "fleece", "sleeping bag", "picnic"),
    "cycl": ("bicycle", "cycling", "helmet", "water bottle"),
    "bike": ("bicycle", "cycling", "helmet", "water bottle"),
    "biking": ("bicycle", "cycling", "helmet", "water bottle"),
    "gym": ("dumbbell", "yoga", "water bottle", "earbuds", "smart watch"),
    "home gym": ("dumbbell", "yoga", "water bottle", "earbuds", "speaker", "smart watch"),
    "fitness": ("dumbbell", "yoga", "water bottle", "smart watch", "running"),
    "working out": ("dumbbell", "yoga", "water bottle", "smart watch"),
    "work out": ("dumbbell", "yoga", "water bottle", "smart watch"),
    "workout": ("dumbbell", "yoga", "water bottle", "smart watch"),
    "exercis": ("dumbbell", "yoga", "water bottle", "smart watch"),
    "keep fit": ("dumbbell", "yoga", "water bottle", "smart watch"),
    "yoga": ("yoga mat", "water bottle"),
    "garden": ("garden", "hose", "watering", "gloves", "planter", "plant", "pot", "trimmer", "mower",
               "bird", "patio", "umbrella", "blower", "pruner", "seed"),
    "gam": ("gaming", "mouse", "keyboard", "headphones", "controller"),
    "music": ("speaker", "headphones", "earbuds"),
    "read": ("e-reader", "reader", "notebook", "bookshelf", "lamp", "book"),
    "photo": ("camera",),
    "keep an eye on": ("security camera", "pet camera", "baby monitor"),
    "check on": ("security camera", "pet camera", "baby monitor"),
    "while i'm at work": ("security camera", "pet camera"),
    "while im at work": ("security camera", "pet camera"),

    "festival": ("backpack", "water bottle", "sunglasses", "portable charger", "raincoat", "tent", "t-shirt"),
    "glasto": ("backpack", "water bottle", "sunglasses", "portable charger", "raincoat", "tent", "t-shirt"),
    "people round": ("grill", "patio", "umbrella", "picnic", "speaker", "lantern", "mug", "kettle"),
    "hosting": ("grill", "patio", "umbrella", "picnic", "speaker", "lantern", "mug", "kettle"),
    "party": ("grill", "patio", "umbrella", "picnic", "speaker", "lantern"),
    "travel": ("luggage", "backpack", "portable charger", "earbuds", "sunglasses", "water bottle"),
    "flight": ("luggage", "backpack", "portable charger", "earbuds", "headphones", "e-reader", "water bottle"),
    "flying": ("luggage", "backpack", "portable charger", "earbuds", "headphones", "e-reader", "water bottle"),
    "plane": ("luggage", "backpack", "portable charger", "earbuds", "headphones", "e-reader", "water bottle"),
    "holiday": ("luggage", "backpack", "sunglasses", "water bottle", "portable charger"),
    "trip": ("luggage", "backpack", "sunglasses", "water bottle", "portable charger"),
    "office": ("office chair", "desk", "chair", "keyboard", "mouse", "notebook", "lamp"),
    "work from home": ("office chair", "desk", "chair", "keyboard", "mouse", "lamp", "headphones"),
    "home office": ("office chair", "desk", "chair", "keyboard", "mouse", "lamp", "headphones"),
    "student": ("notebook", "backpack", "laptop", "tablet", "lamp"),
    "uni": ("notebook", "backpack", "laptop", "tablet", "lamp", "kettle", "headphones"),
    "college": ("notebook", "backpack", "laptop", "tablet", "lamp", "kettle", "headphones"),
    "dorm": ("lamp", "kettle", "headphones", "speaker", "pillow"),
    "skat": ("skateboard",),
    "pet": ("pet",),
    "dog": ("dog", "pet"),
    "cat": ("cat", "kitten", "pet"),
    "puzzle": ("puzzle",),
    "makeup": ("makeup kit", "perfume"),
    "beauty": ("makeup", "perfume", "toothbrush"),
    # a drink kept hot or cold is a flask's job, whatever the drink ("keep my tea hot on the go")
    **{f"keep {who}{drink} {temp}": ("water bottle", "flask", "thermos", "travel mug")
       for who in ("", "my ", "the ", "your ") for drink in ("tea", "coffee", "drinks", "drink", "water", "it")
       for temp in ("hot", "warm", "cold", "cool")},
    # situations: what people in them tend to want (a present, or for themselves)
    "new parent": ("security camera", "baby monitor", "coffee", "kettle", "purifier", "vacuum", "lamp", "speaker"),
    "new baby": ("security camera", "baby monitor", "coffee", "kettle", "purifier", "vacuum", "lamp", "speaker"),
    "newborn": ("security camera", "baby monitor", "coffee", "kettle", "purifier", "vacuum", "lamp", "speaker"),
    "expecting": ("security camera", "baby monitor", "coffee", "kettle", "purifier", "vacuum", "lamp", "speaker"),
    "surgery": ("e-reader", "tablet", "headphones", "earbuds", "jigsaw", "notebook", "speaker", "kettle", "pillow"),
    "recover": ("e-reader", "tablet", "headphones", "earbuds", "jigsaw", "notebook", "speaker", "kettle", "pillow"),
    "laid up": ("e-reader", "tablet", "headphones", "earbuds", "jigsaw", "notebook", "speaker", "kettle", "pillow"),
    "bed rest": ("e-reader", "tablet", "headphones", "earbuds", "jigsaw", "notebook", "speaker", "kettle", "pillow"),
    "get well": ("e-reader", "tablet", "headphones", "earbuds", "jigsaw", "notebook", "speaker", "kettle", "pillow"),
    "in hospital": ("e-reader", "tablet", "headphones", "earbuds", "jigsaw", "notebook", "portable charger", "pillow"),
    "stuck on the sofa": ("e-reader", "tablet", "headphones", "earbuds", "jigsaw", "notebook", "speaker", "pillow"),
    "road trip": ("tablet", "headphones", "earbuds", "portable charger", "jigsaw", "water bottle", "backpack"),
    "long drive": ("tablet", "headphones", "earbuds", "portable charger", "jigsaw", "water bottle", "backpack"),
    "car journey": ("tablet", "headphones", "earbuds", "portable charger", "jigsaw", "water bottle", "backpack"),
    "coast to coast": ("tablet", "headphones", "earbuds", "portable charger", "jigsaw", "water bottle", "backpack"),
    "are we there yet": ("tablet", "headphones", "earbuds", "portable charger", "jigsaw", "water bottle"),
    "retire": ("jigsaw", "bicycle", "camera", "grill", "garden", "e-reader", "hiking", "puzzle"),
    "hobby": ("jigsaw", "bicycle", "camera", "grill", "garden", "e-reader", "hiking", "puzzle", "yoga"),
    "hobbies": ("jigsaw", "bicycle", "camera", "grill", "garden", "e-reader", "hiking", "puzzle", "yoga"),
    "posh": ("perfume", "wristwatch", "makeup", "espresso", "candle", "sunglasses", "luggage"),
    "luxur": ("perfume", "wristwatch", "makeup", "espresso", "candle", "sunglasses", "luggage"),
    "impress": ("perfume", "wristwatch", "makeup", "espresso", "candle", "sunglasses", "luggage"),
    "pamper": ("perfume", "makeup", "candle", "pillow", "towel"),
    "wedding": ("coffee maker", "espresso", "kettle", "grill", "vacuum", "purifier", "lamp", "clock", "casserole",
                "dutch oven", "knife", "stand mixer", "towel", "candle"),
    "registry": ("coffee maker", "espresso", "kettle", "grill", "vacuum", "purifier", "lamp", "clock", "casserole",
                 "dutch oven", "knife", "stand mixer", "towel", "candle"),
    "dinner part": ("dutch oven", "casserole", "knife", "cutting board", "skillet", "candle", "grill", "apron", "mixer"),
    "ski trip": ("fleece", "jacket", "sunglasses", "action camera", "water bottle", "backpack", "gloves"),
    "skiing": ("fleece", "jacket", "sunglasses", "action camera", "water bottle", "backpack", "gloves"),
    "ski holiday": ("fleece", "jacket", "sunglasses", "action camera", "water bottle", "backpack", "gloves"),
    "snowboard": ("fleece", "jacket", "sunglasses", "action camera", "water bottle", "backpack", "gloves"),
    "housewarm": ("lamp", "clock", "candle", "pillow", "throw", "kettle", "coffee maker", "speaker", "purifier", "doormat", "plant", "vase"),
    "new home": ("lamp", "clock", "candle", "pillow", "throw", "doormat", "plant"),
    "new flat": ("lamp", "clock", "kettle", "vacuum", "bookshelf", "candle", "pillow", "doormat", "plant"),
    "apartment": ("lamp", "clock", "kettle", "vacuum", "bookshelf", "candle", "pillow", "doormat", "plant"),
    "moved": ("lamp", "clock", "kettle", "vacuum", "bookshelf", "candle", "pillow", "doormat", "plant"),
    "moving in": ("lamp", "clock", "kettle", "vacuum", "bookshelf", "candle", "pillow", "doormat", "plant"),
    "home": ("lamp", "clock", "bookshelf", "purifier", "vacuum", "thermostat", "candle", "pillow",
             "blanket", "duvet", "throw"),
    "tech": ("smartphone", "tablet", "earbuds", "smart watch", "speaker", "charger", "camera"),
    # "loves being outdoors", "outdoorsy": out in nature; "outdoor" alone is often the garden or patio
    "outdoors": ("hiking", "backpack", "water bottle", "bicycle", "helmet", "skateboard", "action camera",
                 "fleece", "sunglasses"),
    "outdoorsy": ("hiking", "backpack", "water bottle", "bicycle", "helmet", "skateboard", "action camera",
                  "fleece", "sunglasses"),
    "outdoor": ("hiking", "backpack", "water bottle", "grill", "patio", "umbrella", "picnic", "garden"),
    "bbq": ("grill", "apron", "picnic"),
    "barbecue": ("grill", "apron", "picnic"),
    "baby": ("blanket", "pillow"),
    "kid": ("puzzle", "skateboard", "bicycle", "backpack"),
    "teen": ("skateboard", "earbuds", "speaker", "gaming"),
}

# animals by their kinds and breeds -> the word a pet shop's types use ("a cage for my budgie" -> Bird Cage)
ANIMALS: dict[str, str] = {
    "budgie": "bird", "parrot": "bird", "african grey": "bird", "macaw": "bird", "cockatoo": "bird", "lovebird": "bird", "canary": "bird", "cockatiel": "bird", "finch": "bird", "bird": "bird",
    "puppy": "dog", "pup": "dog", "doggo": "dog", "lab": "dog", "labrador": "dog", "husky": "dog",
    "whippet": "dog", "spaniel": "dog", "staffy": "dog", "staffie": "dog", "chihuahua": "dog", "beagle": "dog", "springer": "dog", "jack russell": "dog", "terrier": "dog", "collie": "dog", "retriever": "dog", "pug": "dog",
    "dachshund": "dog", "greyhound": "dog", "poodle": "dog", "kitten": "cat", "kitty": "cat", "moggy": "cat",
    "hamster": "hamster", "gerbil": "hamster", "goldfish": "fish", "guppy": "fish", "betta": "fish",
    "rabbit": "rabbit", "bunny": "rabbit",
}  # fmt: skip

# people a present is for who say nothing of what they like: ideas that suit most people
# (used only when no interest or activity is named)
GENERIC_RECIPIENTS = ("friend", "mate", "flatmate", "housemate", "roommate", "colleague", "coworker", "co-worker",
                      "boss", "teacher", "neighbour", "neighbor", "leaving present", "leaving gift", "secret santa",
                      "thank you gift", "someone", "anyone")  # fmt: skip
GIFT_IDEAS = ("mug", "candle", "notebook", "water bottle", "puzzle", "clock", "t-shirt", "speaker", "earbuds",
              "sunglasses", "perfume", "pillow", "throw", "plant", "light bulb", "apron", "treat", "toy")  # fmt: skip

# who a product is for, and the option values that say so ("perfume for my wife" -> women / unisex)
RECIPIENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "women": (("wife", "girlfriend", "gf", "mum", "mom", "mother", "sister", "daughter", "grandma", "granny",
               "aunt", "niece", "fiancee", "her", "she", "lady", "ladies", "woman", "women", "womens"),
              ("women", "woman", "womens", "female", "ladies", "her")),
    "men": (("husband", "boyfriend", "bf", "dad", "father", "brother", "son", "grandad", "grandpa", "uncle",
             "nephew", "fiance", "him", "he", "man", "men", "mens", "guy", "bloke"),
            ("men", "man", "mens", "male", "him")),
}  # fmt: skip
NEUTRAL_VALUES = frozenset({"unisex", "all", "any", "both"})

GIFT_WORDS = ("gift", "present", "birthday", "christmas", "xmas", "anniversary", "for my", "for a ",
              "for someone", "who likes", "who loves", "who is into", "who's into", "into ", "housewarming",
              "secret santa", "stocking filler", "ideas", "pressie", "prezzie", "fathers day", "father's day",
              "mothers day", "mother's day", "valentine", "graduation", "retirement", "get him", "get her",
              "get them", "what can i get", "what should i get", "what do i get", "what would be a good")  # fmt: skip

# words that say the shopper is buying a present (stricter than GIFT_WORDS, which also takes "for my")
PRESENT = re.compile(
    r"\b(gift|present|pressie|prezzie|birthday|christmas|xmas|anniversary|housewarming|secret santa|stocking|"
    r"leaving|thank you|father'?s day|mother'?s day|valentine|graduation|retirement|get (him|her|them)|"
    r"what (can|should|do|would) i get)\b", re.I)

# what things are made of, for "what's it made of?" when a product states it only in its description
MATERIALS = frozenset(
    "cotton polyester nylon wool merino leather suede down fleece silk linen denim canvas mesh rubber latex "
    "plastic glass ceramic porcelain stoneware steel stainless aluminium aluminum titanium iron copper brass "
    "wood wooden bamboo oak pine walnut beech cork foam silicone vinyl pvc tpe acrylic carbon gore-tex".split()
)

NEGATIVE_VALUES = frozenset({"no", "none", "not resistant", "non-resistant", "false", "n/a", "without",
                             "non-polarized", "non-polarised", "not waterproof"})  # fmt: skip


def concept_groups(phrase: str) -> list[frozenset[str]]:
    """The concept groups ``phrase`` belongs to (normalised, lower case)."""
    low = phrase.strip().lower()
    return [_GROUPS[i] for i in _INDEX.get(low, ())]


_GROUPS = [frozenset(g) for g in CONCEPTS]
_INDEX: dict[str, list[int]] = {}
for _i, _g in enumerate(CONCEPTS):
    for _w in _g:
        _INDEX.setdefault(_w, []).append(_i)
