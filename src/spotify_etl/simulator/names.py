"""Words the synthetic catalog is named from.

Every name starts with one KEYWORD, chosen arithmetically from the entity's index, so the
search index is a formula rather than a table (see Catalog.search). The decorations that
follow never overlap the keywords. Unicode keywords cover accents, CJK, right-to-left
scripts and emoji, which a pipeline must carry through unharmed.
"""

from __future__ import annotations

KEYWORDS: tuple[str, ...] = (
    "Aurora", "Midnight", "Velvet", "Echo", "Neon", "Harbor", "Lantern", "Cobalt", "Ember",
    "Meadow", "Static", "Saffron", "Glacier", "Paper", "Satellite", "Orchid", "Thunder",
    "Marigold", "Horizon", "Silver", "Wildfire", "Copper", "Lullaby", "Prism", "Riverbend",
    "Nomad", "Cinder", "Monsoon", "Tidal", "Juniper", "Falcon", "Mirage", "Solstice", "Vapor",
    "Indigo", "Crimson", "Hollow", "Quartz", "Sparrow", "Tundra", "Gravity", "Lotus", "Signal",
    "Comet", "Willow", "Basalt", "Raven", "Citrus", "Atlas", "Fathom", "Kestrel", "Nebula",
    "Ivory", "Pilgrim", "Rhythm", "Summit", "Voltage", "Amber", "Canyon", "Delta", "Fable",
    "Garnet", "Halcyon", "Island", "Jasmine", "Kinetic", "Lagoon", "Magnolia", "Nocturne",
    "Oasis", "Pendulum", "Quiver", "Ripple", "Sequoia", "Tempest", "Umbra", "Vesper", "Wander",
    "Zephyr", "Boulevard", "Cascade", "Driftwood", "Eclipse", "Firefly", "Gossamer", "Heron",
    "Ironwood", "Jubilee", "Kaleidoscope", "Labyrinth", "Mosaic", "Nightjar", "Obsidian",
    "Paragon", "Radiant", "Serenade", "Tangerine", "Undertow", "Verdant", "Whisper",
    "Café", "Niño", "Über", "Señorita", "Mañana", "Façade", "Rêverie", "Ångström", "Smørrebrød",
    "Żubrówka", "Ölüdeniz", "Göteborg", "Crème", "Déjà", "Fiancée", "Naïve", "Zoë",
    "夜空", "東京", "さくら", "서울", "北京", "花火", "月光", "사랑",
    "قمر", "سلام", "שלום", "ירושלים", "نور",
    "🔥", "🌙", "🎧", "💜",
    "Москва", "Ночь", "Αθήνα", "नमस्ते",
)  # fmt: skip

DECOR: tuple[str, ...] = (
    "Nights", "in Blue", "Forever", "Dreams", "on the Radio", "Again", "Under Glass",
    "Season", "Parade", "Letters", "Overture", "Machine", "Garden", "Avenue", "Drive",
    "Waltz", "Anthem", "Reprise", "Lights", "Hour", "Tide", "Road", "Skyline", "in Love",
)  # fmt: skip

ARTIST_SUFFIX: tuple[str, ...] = (
    "", "", "", " Collective", " Trio", " Orchestra", " & the Lights", " Brothers",
    " Quartet", " Sound System", " Ensemble", " Club",
)  # fmt: skip

TRACK_SUFFIX: tuple[str, ...] = (
    "", "", "", "", "", "", " - Remastered 2011", " - Live", " (Acoustic)", " - Radio Edit",
    " (feat. Guest)", " - Demo",
)  # fmt: skip

GENRES: tuple[str, ...] = (
    "indie pop", "art rock", "synthwave", "jazz fusion", "k-pop", "j-rock", "afrobeats",
    "reggaeton", "trip hop", "bossa nova", "chamber folk", "drum and bass", "neo soul",
    "shoegaze", "latin trap", "dream pop", "hip hop", "classical", "deep house", "mpb",
)  # fmt: skip

LABELS: tuple[str, ...] = (
    "Nightjar Records", "Harbor Lights Music", "Cobalt Sound", "Indigo Tapes", "Ember Audio",
    "Velvet Groove", "Paper Planes Recordings", "Satellite Works",
)  # fmt: skip

MARKETS: tuple[str, ...] = (
    "AR", "AU", "BR", "CA", "DE", "ES", "FR", "GB", "IN", "IT", "JP", "KR", "MX", "NL", "NO",
    "PL", "SE", "TR", "US", "ZA",
)  # fmt: skip

KEYWORD_INDEX: dict[str, int] = {word.casefold(): i for i, word in enumerate(KEYWORDS)}
