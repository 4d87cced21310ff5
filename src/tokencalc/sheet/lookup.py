"""Looking models and plans up by name: ids, aliases, the id forms the world writes, globs."""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Mapping, Sequence

from tokencalc.errors import TokencalcError, UnknownModelError, UsageError
from tokencalc.sheet.model import ModelEntry, Plan, Provider
from tokencalc.sheet.model_ids import candidates as id_candidates
from tokencalc.wording import Arg


class ModelLookup:
    """Finding models and plans by name; a base of :class:`~tokencalc.sheet.price_sheet.PriceSheet`."""

    models: Mapping[str, ModelEntry]
    aliases: Mapping[str, str]
    providers: Mapping[str, Provider]
    plans: Mapping[str, Plan]
    default_models: tuple[str, ...]

    def resolve(self, name: str) -> ModelEntry:
        """The model with this id or alias (case-insensitive); never a fuzzy match.

        A name that is neither is rewritten by the one resolution rule of
        :mod:`tokencalc.sheet.model_ids` (gateway prefixes, Bedrock and Vertex forms, dated
        snapshots, ``-latest``, dotted versions) and looked up again, form by form.
        """
        return self.resolve_form(name)[0]

    def resolve_form(self, name: str) -> tuple[ModelEntry, str | None]:
        """The model ``name`` means, and the rewritten form that matched (None: as written)."""
        found = self._lookup(name)
        if found is not None:
            return found, None
        for form in id_candidates(name):
            found = self._lookup(form)
            if found is not None:
                return found, form
        raise UnknownModelError(name, self.suggest(name))

    def _lookup(self, name: str) -> ModelEntry | None:
        key = name.strip().lower()
        index = self.__dict__.get("_name_index")
        if index is None:
            index = {alias.lower(): model_id for alias, model_id in self.aliases.items()}
            index.update({model_id.lower(): model_id for model_id in self.models})
            object.__setattr__(self, "_name_index", index)
        model_id = index.get(key)
        return None if model_id is None else self.models[model_id]

    def resolve_plan(self, name: str) -> Plan:
        """The plan with this id or display name (case-insensitive); never a fuzzy match.

        An unknown name raises :class:`TokencalcError` suggesting the nearest plan ids.
        """
        wanted = name.strip().lower()
        for plan in self.plans.values():
            if wanted in (plan.id.lower(), plan.name.lower()):
                return plan
        # other names the plan goes by (Anthropic's "Max 5x" for Max): spaces read as hyphens
        spelled = "-".join(wanted.split())
        for plan in self.plans.values():
            if spelled in ("-".join(alias.lower().split()) for alias in plan.aliases):
                return plan
        ids = {plan_id.lower(): plan_id for plan_id in self.plans}
        near = [ids[m] for m in difflib.get_close_matches(wanted, list(ids), n=3, cutoff=0.5)]
        hint = f"did you mean {', '.join(near)}?" if near else "'tokencalc plans' lists them all"
        raise TokencalcError(f"unknown plan {name!r} ({hint})")

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """The nearest model ids and aliases to a misspelt name."""
        names = {k.lower(): k for k in [*self.models, *self.aliases]}
        matches = difflib.get_close_matches(name.strip().lower(), list(names), n=n, cutoff=0.6)
        return [names[m] for m in matches]

    def select(
        self,
        patterns: Sequence[str] = (),
        providers: Sequence[str] = (),
        all_models: bool = False,
        *,
        include_deprecated: bool = False,
    ) -> list[ModelEntry]:
        """The models a command line asks for; each option adds to the selection.

        ``patterns`` are ids, aliases or fnmatch globs over ids and aliases (``claude-*``);
        ``providers`` adds every model of each provider; ``all_models`` adds every model.
        Globs, providers and ``all_models`` leave out deprecated models unless
        ``include_deprecated``; an id or alias named exactly is always honoured. With
        nothing asked for, the sheet's ``default_models``. An unknown id, an unknown
        provider or a glob that matches nothing raises.
        """
        for wanted in (*patterns, *providers):
            if not wanted.strip():
                raise UsageError(
                    "an empty model or provider name (an unset shell variable?); name one, or leave the option out"
                )
        chosen: dict[str, ModelEntry] = {}

        def current(model: ModelEntry) -> bool:
            return include_deprecated or not model.deprecated

        known_providers = {p.lower(): p for p in self.providers}
        for wanted in providers:
            provider = known_providers.get(wanted.strip().lower())
            if provider is None:
                raise TokencalcError(
                    f"unknown provider {wanted!r} (known: {', '.join(sorted(self.providers))})"
                )
            theirs = [m for m in self.models.values() if m.provider == provider]
            live = [m for m in theirs if current(m)]
            if not live:
                listed = ", ".join(m.id for m in theirs) or "none"
                raise TokencalcError.naming(
                    f"provider {provider!r} has no current models (deprecated: {listed}); "
                    "name them with ",
                    Arg("models"),
                )
            for model in live:
                chosen.setdefault(model.id, model)
        if all_models:
            for model in self.models.values():
                if current(model):
                    chosen.setdefault(model.id, model)
        for pattern in patterns:
            if any(ch in pattern for ch in "*?["):
                # a glob matches ids; aliases (dated snapshots…) only when it matches no id
                matched = [
                    m for m in self.models.values() if self.matches(m, pattern, aliases=False)
                ]
                matched = matched or [m for m in self.models.values() if self.matches(m, pattern)]
                live = [m for m in matched if current(m)]
                if not live:
                    hint = (
                        f" except deprecated ones ({', '.join(m.id for m in matched)}); name them exactly"
                        if matched
                        else "; 'tokencalc models' lists them"
                    )
                    raise TokencalcError(f"no model matches {pattern!r}{hint}")
                for model in live:
                    chosen.setdefault(model.id, model)
            else:
                model = self.resolve(pattern)
                chosen.setdefault(model.id, model)
        if not (patterns or providers or all_models):
            return [self.models[model_id] for model_id in self.default_models]
        return list(chosen.values())

    @staticmethod
    def matches(model: ModelEntry, pattern: str, *, aliases: bool = True) -> bool:
        """Whether an fnmatch glob matches the model's id or (``aliases``) an alias, any case."""
        pattern = pattern.strip().lower()
        names = (model.id, *model.aliases) if aliases else (model.id,)
        return any(fnmatch.fnmatchcase(name.lower(), pattern) for name in names)
