"""Reference lists of collective offers, as code: school levels, artistic and cultural
education domains."""

SCHOOL_LEVELS: list[tuple[str, str]] = [
    ("ecole_cm1", "École primaire – CM1"),
    ("ecole_cm2", "École primaire – CM2"),
    ("college_6e", "Collège – 6e"),
    ("college_5e", "Collège – 5e"),
    ("college_4e", "Collège – 4e"),
    ("college_3e", "Collège – 3e"),
    ("lycee_2de", "Lycée – Seconde"),
    ("lycee_1re", "Lycée – Première"),
    ("lycee_terminale", "Lycée – Terminale"),
    ("cap_1", "CAP – 1re année"),
    ("cap_2", "CAP – 2e année"),
]

DOMAINS: list[tuple[str, str]] = [
    ("architecture", "Architecture"),
    ("cirque_rue", "Arts du cirque et arts de la rue"),
    ("arts_numeriques", "Arts numériques"),
    ("arts_visuels", "Arts visuels, arts plastiques, arts appliqués"),
    ("bande_dessinee", "Bande dessinée"),
    ("cinema", "Cinéma, audiovisuel"),
    ("culture_scientifique", "Culture scientifique, technique et industrielle"),
    ("danse", "Danse"),
    ("design", "Design"),
    ("developpement_durable", "Développement durable"),
    ("livre_lecture", "Univers du livre, de la lecture et des écritures"),
    ("musique", "Musique"),
    ("patrimoine", "Patrimoine, mémoire, archéologie"),
    ("photographie", "Photographie"),
    ("theatre", "Théâtre, expression dramatique, marionnettes"),
    ("media_information", "Média et information"),
]

LEVEL_LABELS = dict(SCHOOL_LEVELS)
DOMAIN_LABELS = dict(DOMAINS)


def pack(values) -> str:
    """Store a list of codes as ",a,b," so that `field__contains=",a,"` filters on
    SQLite and PostgreSQL alike."""
    values = [v for v in values if v]
    return f",{','.join(values)}," if values else ""


def unpack(stored: str) -> list[str]:
    return [v for v in (stored or "").split(",") if v]
