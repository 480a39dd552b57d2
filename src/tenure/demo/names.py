"""Words the demo builds names, subjects and notes from."""

from __future__ import annotations

COMPANY_PREFIXES: tuple[str, ...] = (
    "Acme", "Blue", "Bright", "Cedar", "Cobalt", "Delta", "Ember", "Falcon", "Granite",
    "Harbor", "Iron", "Juniper", "Kite", "Lumen", "Maple", "Nimbus", "Orbit", "Pioneer",
    "Quartz", "River", "Summit", "Terra", "Umber", "Vertex", "Willow", "Zenith", "Atlas",
    "Beacon", "Cascade", "Drift", "Echo", "Fjord", "Glacier", "Helix", "Indigo", "Nova",
)
COMPANY_CORES: tuple[str, ...] = (
    "Logistics", "Health", "Analytics", "Foods", "Robotics", "Energy", "Finance", "Labs",
    "Retail", "Media", "Systems", "Networks", "Capital", "Works", "Biotech", "Motors",
    "Learning", "Travel", "Security", "Cloud", "Studios", "Freight", "Pharma", "Insurance",
)
COMPANY_SUFFIXES: tuple[str, ...] = ("Inc", "Ltd", "GmbH", "Group", "Co", "LLC", "SA", "AB")

INDUSTRIES: tuple[tuple[str, float], ...] = (
    ("Software", 0.22), ("Financial Services", 0.12), ("Healthcare", 0.1),
    ("Retail", 0.1), ("Manufacturing", 0.1), ("Education", 0.07), ("Media", 0.06),
    ("Logistics", 0.07), ("Professional Services", 0.1), ("Energy", 0.06),
)
COUNTRIES: tuple[tuple[str, float], ...] = (
    ("US", 0.42), ("GB", 0.1), ("DE", 0.09), ("FR", 0.06), ("CA", 0.06), ("NL", 0.04),
    ("AU", 0.05), ("SE", 0.03), ("JP", 0.04), ("SG", 0.03), ("BR", 0.04), ("CN", 0.04),
)

FIRST_NAMES: tuple[str, ...] = (
    "Alex", "Maria", "Wei", "Fatima", "John", "Aiko", "Lucas", "Priya", "Omar", "Sofia",
    "Chen", "Emma", "Noah", "Ines", "Mateo", "Hana", "David", "Lena", "Ravi", "Zoe",
    "Jonas", "Amara", "Ken", "Elena", "Samuel", "Yara", "Luis", "Mei", "Olivia", "Tomas",
)
LAST_NAMES: tuple[str, ...] = (
    "Smith", "Garcia", "Wang", "Khan", "Müller", "Tanaka", "Silva", "Patel", "Haddad",
    "Rossi", "Li", "Johnson", "Brown", "Dubois", "Lopez", "Kim", "Cohen", "Novak", "Singh",
    "Andersson", "Okafor", "Sato", "Ivanova", "Martin", "Nguyen", "Costa", "Zhang", "Berg",
)

CONTACT_TITLES: dict[str, tuple[str, ...]] = {
    "champion": ("Head of Operations", "Director of Analytics", "Operations Manager"),
    "decision_maker": ("VP Operations", "CFO", "COO", "VP Engineering", "CEO"),
    "admin": ("IT Administrator", "Systems Administrator", "Platform Owner"),
    "user": ("Analyst", "Team Lead", "Specialist", "Coordinator", "Engineer"),
    "billing": ("Accounts Payable", "Finance Manager", "Controller"),
}

TICKET_SUBJECTS: tuple[str, ...] = (
    "Cannot export report to CSV", "SSO login fails for some users", "Dashboard loads slowly",
    "Integration sync stopped", "How do I invite my team?", "Invoice address change",
    "Data missing after import", "API rate limit errors", "Feature request: custom fields",
    "Permissions not applied", "Scheduled report not delivered", "Billing question",
    "Need help configuring alerts", "Error 500 on workflow save", "Seat count question",
)

ACTIVITY_SUBJECTS: dict[str, tuple[str, ...]] = {
    "note": ("Account review notes", "Stakeholder map updated", "Usage check",
             "Success plan updated"),
    "call": ("Check-in call", "Adoption call", "Escalation call", "Renewal call"),
    "meeting": ("Quarterly business review", "Onboarding workshop", "Executive sponsor sync",
                "Training session"),
    "email": ("Follow-up after call", "New feature announcement", "Renewal reminder",
              "Best practices guide"),
}
RISK_SUBJECTS: tuple[str, ...] = (
    "Usage dropped - reached out", "Escalation: customer unhappy with support",
    "Budget cuts mentioned", "Evaluating a competitor",
)
NPS_COMMENTS: dict[str, tuple[str, ...]] = {
    "promoter": ("Great product, the team loves it", "Saves us hours every week",
                 "Support is excellent"),
    "passive": ("Does the job", "Good, but some features are missing", "OK overall"),
    "detractor": ("Too slow and buggy", "Hard to get value from it",
                  "Support takes too long", "Too expensive for what we use"),
}
