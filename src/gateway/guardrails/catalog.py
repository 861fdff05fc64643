"""Which check ids exist: the built-in ``default.*`` checks this gateway runs, and the vendor
plugins upstream ships (``plugins/index.ts``) that it does not (they call paid vendor APIs with
the vendor's credentials). A vendor id answers 501 naming it; an id nobody knows answers 400."""

from __future__ import annotations

BUILT_IN = frozenset({
    "regexMatch", "regexReplace", "sentenceCount", "wordCount", "characterCount", "jsonSchema",
    "jsonKeys", "contains", "validUrls", "containsCode", "alluppercase", "alllowercase", "endsWith",
    "modelWhitelist", "modelRules", "allowedRequestTypes", "requiredMetadataKeys", "jwt", "webhook",
    "log", "addPrefix", "notNull",
})

VENDOR_PLUGINS: dict[str, tuple[str, ...]] = {
    "qualifire": ("contentModeration", "grounding", "policy", "toolUseQuality", "hallucinations", "pii",
                  "promptInjections"),
    "portkey": ("moderateContent", "language", "pii", "gibberish"),
    "aporia": ("validateProject",),
    "sydelabs": ("sydeguard",),
    "pillar": ("scanPrompt", "scanResponse"),
    "patronus": ("phi", "pii", "isConcise", "isHelpful", "isPolite", "noApologies", "noGenderBias",
                 "noRacialBias", "retrievalAnswerRelevance", "toxicity", "custom"),
    "mistral": ("moderateContent",),
    "pangea": ("textGuard", "pii"),
    "promptfoo": ("pii", "harm", "guard"),
    "bedrock": ("guard",),
    "acuvity": ("scan",),
    "lasso": ("classify",),
    "exa": ("online",),
    "azure": ("pii", "contentSafety", "shieldPrompt", "protectedMaterial"),
    "promptsecurity": ("protectPrompt", "protectResponse"),
    "panw-prisma-airs": ("intercept",),
    "walledai": ("walledprotect",),
    "javelin": ("guardrails",),
    "f5-guardrails": ("scan",),
    "crowdstrike-aidr": ("guardChatCompletions",),
}


def known_vendor_check(check_id: str) -> bool:
    source, _, fn = check_id.partition(".")
    return fn in VENDOR_PLUGINS.get(source, ())
