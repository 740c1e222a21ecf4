# A turbolift campaign: fix the Dockerfiles of every repository in repos.txt.
turbolift init --name dockmod-fixes
cd dockmod-fixes
# List the repositories in repos.txt (one org/name per line), then:
turbolift clone
turbolift foreach -- sh -c 'dockmod fix --apply --quiet . || [ $? -eq 1 ]'
turbolift commit --message "Apply dockmod fixes"
turbolift create-prs
