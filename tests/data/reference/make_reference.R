#!/usr/bin/env Rscript
# Reference figures from R's psych and lavaan for vocapp's scoring tests.
#
# Run from the repository root:  Rscript tests/data/reference/make_reference.R
# Needs R with psych, lavaan, GPArotation and jsonlite (Debian: r-base r-cran-psych r-cran-lavaan
# r-cran-gparotation r-cran-jsonlite). Writes tests/data/reference/reference.json,
# tests/data/reference/bfi_polychoric.csv and tests/data/holzinger_swineford/HolzingerSwineford1939.csv.
# The Python test suite reads only those files; it never runs R.
suppressPackageStartupMessages({
  library(psych)
  library(lavaan)
  library(GPArotation)
  library(jsonlite)
})

out_dir <- "tests/data/reference"
hs_dir <- "tests/data/holzinger_swineford"

# ---- bfi, the rows vocapp fits on ----------------------------------------------------------------
# vocapp leaves out responses flagged too_many_missing (more than 30% of the 25 items, i.e. 8 or more
# unanswered) and straightlining (the same raw answer on every item answered, at least 5 answered);
# bfi has no timings, so no speeding flag. That leaves 2790 of the 2800 rows.
bfi_raw <- read.csv("tests/data/bfi/bfi.csv")
items <- c(paste0("A", 1:5), paste0("C", 1:5), paste0("E", 1:5), paste0("N", 1:5), paste0("O", 1:5))
raw <- as.matrix(bfi_raw[, items])
answered <- rowSums(!is.na(raw))
spread <- apply(raw, 1, function(r) if (all(is.na(r))) NA else max(r, na.rm = TRUE) - min(r, na.rm = TRUE))
too_many_missing <- (25 - answered) > 0.30 * 25
straight <- answered >= 5 & !is.na(spread) & spread == 0
keep <- !(too_many_missing | straight)
stopifnot(sum(keep) == 2790)
reverse <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")
bfi <- as.data.frame(raw[keep, ])
for (i in reverse) bfi[[i]] <- 7 - bfi[[i]]
constructs <- list(agreeableness = paste0("A", 1:5), conscientiousness = paste0("C", 1:5),
                   extraversion = paste0("E", 1:5), neuroticism = paste0("N", 1:5),
                   openness = paste0("O", 1:5))

omega_total <- function(data) {
  # psych's omega total from a one-factor (minres) model on the pairwise correlations
  suppressWarnings(suppressMessages(omega(data, nfactors = 1, plot = FALSE)))$omega.tot
}
alphas <- function(data) {
  a <- suppressWarnings(suppressMessages(psych::alpha(data, check.keys = FALSE, warnings = FALSE)))$total
  list(raw_alpha = a$raw_alpha, std_alpha = a$std.alpha)
}
reliability <- function(data, sets) {
  lapply(sets, function(cols) c(list(omega_total = omega_total(data[, cols])), alphas(data[, cols])))
}

parallel_runs <- function(data, seeds) {
  lapply(seeds, function(seed) {
    set.seed(seed)
    pa <- suppressWarnings(suppressMessages(
      fa.parallel(data, fa = "both", fm = "minres", n.iter = 20, plot = FALSE)))
    list(seed = seed, nfact = pa$nfact, ncomp = pa$ncomp, fa_values = pa$fa.values,
         pc_values = pa$pc.values, fa_sim_mean = pa$fa.sim, pc_sim_mean = pa$pc.sim)
  })
}

fit_summary <- function(fit, scaled = FALSE) {
  names <- if (scaled) c("chisq.scaled", "df.scaled", "cfi.scaled", "tli.scaled", "rmsea.scaled", "srmr")
           else c("chisq", "df", "cfi", "tli", "rmsea", "srmr")
  fm <- fitMeasures(fit, names)
  out <- as.list(unname(fm))
  names(out) <- c("chi2", "df", "cfi", "tli", "rmsea", "srmr")
  out$n <- lavInspect(fit, "ntotal")
  out
}

bfi_model <- paste(sapply(names(constructs), function(c) paste(c, "=~", paste(constructs[[c]], collapse = " + "))),
                   collapse = "\n")
bfi_ml <- cfa(bfi_model, data = bfi, std.lv = TRUE)  # listwise: complete rows among the 2790
bfi_wlsmv <- cfa(bfi_model, data = bfi, std.lv = TRUE, ordered = items, estimator = "WLSMV")
poly <- suppressWarnings(polychoric(bfi)$rho)
write.csv(round(poly, 8), file.path(out_dir, "bfi_polychoric.csv"))
std_loadings <- function(fit) {
  s <- standardizedSolution(fit)
  s <- s[s$op == "=~", ]
  setNames(as.list(s$est.std), s$rhs)
}

# ---- Holzinger & Swineford (1939), as shipped with lavaan ---------------------------------------
hs <- HolzingerSwineford1939
write.csv(hs, file.path(hs_dir, "HolzingerSwineford1939.csv"), row.names = FALSE)
hs_sets <- list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"), speed = c("x7", "x8", "x9"))
hs_model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
hs_fit <- cfa(hs_model, data = hs)
configural <- cfa(hs_model, data = hs, group = "school")
metric <- cfa(hs_model, data = hs, group = "school", group.equal = "loadings")
scalar <- cfa(hs_model, data = hs, group = "school", group.equal = c("loadings", "intercepts"))

reference <- list(
  made_with = list(R = R.version.string, psych = as.character(packageVersion("psych")),
                   lavaan = as.character(packageVersion("lavaan")),
                   GPArotation = as.character(packageVersion("GPArotation"))),
  bfi = list(
    n_rows = nrow(bfi), n_complete = sum(complete.cases(bfi)),
    reliability = reliability(bfi, constructs),
    parallel = parallel_runs(bfi, c(1, 2, 3, 15, 2026)),
    bartlett = cortest.bartlett(cor(bfi, use = "pairwise"), n = nrow(bfi))[c("chisq", "df")],
    cfa_ml = c(fit_summary(bfi_ml), list(std_loadings = std_loadings(bfi_ml))),
    cfa_wlsmv = c(fit_summary(bfi_wlsmv, scaled = TRUE), list(std_loadings = std_loadings(bfi_wlsmv))),
    polychoric_file = "bfi_polychoric.csv"
  ),
  holzinger_swineford = list(
    n_rows = nrow(hs),
    reliability = reliability(hs, hs_sets),
    parallel = parallel_runs(hs[, paste0("x", 1:9)], c(1, 2, 3, 15, 2026)),
    cfa = fit_summary(hs_fit),
    invariance_by_school = list(configural = fit_summary(configural), metric = fit_summary(metric),
                                scalar = fit_summary(scalar)),
    groups = as.list(table(hs$school))
  )
)
writeLines(toJSON(reference, auto_unbox = TRUE, digits = 10, pretty = TRUE), file.path(out_dir, "reference.json"))
cat("wrote", file.path(out_dir, "reference.json"), "\n")
